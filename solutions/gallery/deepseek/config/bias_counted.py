"""V3's e_score_correction_bias counted as a parameter. It is a buffer: no gradient trains
it; the aux-loss-free balancing rule nudges it after each step (and DeepSeek's figures do
not count it). Fix: the gate contributes n_routed_experts * hidden_size, nothing more."""

from solutions.deepseek.config import *  # noqa: F401,F403 (the rest is correct)
from solutions.deepseek.config import count_parameters as _correct


def count_parameters(config: DeepSeekConfig) -> tuple[int, int]:
    total, activated = _correct(config)
    if config.topk_method == "noaux_tc":
        n_moe = config.num_hidden_layers - min(config.first_k_dense_replace,
                                               config.num_hidden_layers)
        total += n_moe * config.n_routed_experts
        activated += n_moe * config.n_routed_experts
    return total, activated
