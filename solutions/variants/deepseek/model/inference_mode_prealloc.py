"""generate under torch.inference_mode with a preallocated output tensor filled column by column; make_cache from the first parameter's dtype/device."""

import torch
from torch import nn

from katas.deepseek.block import DecoderLayer
from katas.mla.attention import MLACache
from katas.mla.components import RMSNorm


class DeepSeekModel(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.embed_tokens = nn.Embedding(config.vocab_size, config.hidden_size)
        self.layers = nn.ModuleList()
        for i in range(config.num_hidden_layers):
            self.layers.append(DecoderLayer(config, i))
        self.norm = RMSNorm(config.hidden_size, eps=config.rms_norm_eps)

    def forward(self, input_ids, cache=None, start_pos=0):
        h = self.embed_tokens(input_ids)
        caches = cache if cache is not None else [None] * len(self.layers)
        for layer, layer_cache in zip(self.layers, caches):
            h = layer(h, layer_cache, start_pos)
        return self.norm(h)


class DeepSeekForCausalLM(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.cfg = config
        self.model = DeepSeekModel(config)
        self.lm_head = nn.Linear(config.hidden_size, config.vocab_size, bias=False)

    def forward(self, input_ids, cache=None, start_pos=0):
        return self.lm_head(self.model(input_ids, cache, start_pos))

    def make_cache(self, batch_size, max_len):
        p = next(self.parameters())
        return [MLACache(self.cfg, batch_size, max_len, p.dtype, p.device) for _ in range(len(self.model.layers))]

    def generate(self, input_ids, max_new_tokens):
        with torch.inference_mode():
            B, T0 = input_ids.shape
            out = torch.empty(B, T0 + max_new_tokens, dtype=torch.int64, device=input_ids.device)
            out[:, :T0] = input_ids
            if max_new_tokens == 0:
                return out.clone()
            cache = self.make_cache(B, T0 + max_new_tokens)
            logits = self(input_ids, cache, 0)[:, -1]
            for t in range(T0, T0 + max_new_tokens):
                out[:, t] = logits.argmax(-1)
                if t + 1 < T0 + max_new_tokens:
                    logits = self(out[:, t:t + 1], cache, t)[:, -1]
        return out.clone()
