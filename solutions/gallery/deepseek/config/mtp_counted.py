"""The multi-token-prediction module counted: num_hidden_layers + num_nextn_predict_layers
layers are summed. V3's MTP module (one extra MoE layer and a projection, 11.5B) is shipped
with the weights (685B on disk) but is not part of the main model, and the published 671B /
37B leave it out. Fix: count num_hidden_layers layers only."""

import dataclasses

from solutions.deepseek.config import *  # noqa: F401,F403 (the rest is correct)
from solutions.deepseek.config import count_parameters as _correct


def count_parameters(config: DeepSeekConfig) -> tuple[int, int]:
    more = dataclasses.replace(
        config, num_hidden_layers=config.num_hidden_layers + config.num_nextn_predict_layers)
    return _correct(more)
