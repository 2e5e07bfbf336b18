"""Day 32 — deepseek/model: reference solution."""

from typing import Optional

import torch
from torch import nn

from katas.deepseek.block import DecoderLayer
from katas.deepseek.config import DeepSeekConfig
from katas.mla.attention import MLACache
from katas.mla.components import RMSNorm


class DeepSeekModel(nn.Module):
    """Token embedding, the decoder layers, the final RMSNorm."""

    def __init__(self, config: DeepSeekConfig):
        super().__init__()
        self.config = config
        self.embed_tokens = nn.Embedding(config.vocab_size, config.hidden_size)
        self.layers = nn.ModuleList(DecoderLayer(config, i) for i in range(config.num_hidden_layers))
        self.norm = RMSNorm(config.hidden_size, eps=config.rms_norm_eps)

    def forward(self, input_ids: torch.Tensor, cache: Optional[list[MLACache]] = None,
                start_pos: int = 0) -> torch.Tensor:
        """input_ids (B, T) at positions start_pos.. -> normalised hidden states (B, T, hidden)."""
        h = self.embed_tokens(input_ids)
        for i, layer in enumerate(self.layers):
            h = layer(h, cache=None if cache is None else cache[i], start_pos=start_pos)
        return self.norm(h)


class DeepSeekForCausalLM(nn.Module):
    """DeepSeekModel plus an untied lm_head; greedy generation over the latent cache."""

    def __init__(self, config: DeepSeekConfig):
        super().__init__()
        self.config = config
        self.model = DeepSeekModel(config)
        self.lm_head = nn.Linear(config.hidden_size, config.vocab_size, bias=False)

    def forward(self, input_ids: torch.Tensor, cache: Optional[list[MLACache]] = None,
                start_pos: int = 0) -> torch.Tensor:
        """input_ids (B, T) -> logits (B, T, vocab_size)."""
        return self.lm_head(self.model(input_ids, cache=cache, start_pos=start_pos))

    def make_cache(self, batch_size: int, max_len: int) -> list[MLACache]:
        """One empty latent cache per layer, in the model's dtype and on its device."""
        weight = self.lm_head.weight
        return [MLACache(self.config, batch_size, max_len, dtype=weight.dtype, device=weight.device)
                for _ in self.model.layers]

    @torch.no_grad()
    def generate(self, input_ids: torch.Tensor, max_new_tokens: int) -> torch.Tensor:
        """Greedy: (B, T0) -> (B, T0 + max_new_tokens); prefill once, then one token per step."""
        B, T0 = input_ids.shape
        if max_new_tokens <= 0:
            return input_ids.clone()
        cache = self.make_cache(B, T0 + max_new_tokens)
        logits = self(input_ids, cache=cache, start_pos=0)           # prefill: positions 0 .. T0-1
        out = [input_ids]
        for step in range(max_new_tokens):
            next_id = logits[:, -1].argmax(dim=-1, keepdim=True)     # (B, 1)
            out.append(next_id)
            if step + 1 < max_new_tokens:                            # the new token sits at T0 + step
                logits = self(next_id, cache=cache, start_pos=T0 + step)
        return torch.cat(out, dim=1)
