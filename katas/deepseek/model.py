"""Day 32 — deepseek/model: the DeepSeek model and generation.

The capstone: stack yesterday's DecoderLayer into DeepSeek-V2/V3, give it a language-model
head, and decode greedily over the latent cache. With your earlier katas, this is a working
DeepSeek-style model: Hugging Face's DeepseekV3ForCausalLM weights (same names) load into it
and give the same logits.

Write:
    DeepSeekModel(config) -> nn.Module, config a DeepSeekConfig; submodules (DeepSeek's names):
        embed_tokens  nn.Embedding(vocab_size, hidden_size)
        layers        nn.ModuleList of num_hidden_layers DecoderLayer(config, i), i = 0, 1, ...
        norm          RMSNorm(hidden_size, eps=rms_norm_eps)   (the final norm)
        forward(input_ids, cache=None, start_pos=0) -> (B, T, hidden_size), the model's dtype:
            input_ids (B, T) int64, the tokens at positions start_pos .. start_pos + T - 1;
            embed, run every layer (layer i gets cache[i] and start_pos), then norm.
    DeepSeekForCausalLM(config) -> nn.Module with
        model    DeepSeekModel(config)
        lm_head  nn.Linear(hidden_size, vocab_size, bias=False), its OWN weight: DeepSeek does
                 not tie it to embed_tokens (tie_word_embeddings=False).
        State-dict keys: model.embed_tokens.weight, model.layers.{i}.* (DecoderLayer's keys),
        model.norm.weight, lm_head.weight: exactly Hugging Face's DeepseekV3ForCausalLM.
        forward(input_ids, cache=None, start_pos=0) -> logits (B, T, vocab_size), the model's
            dtype. cache=None: a full causal forward of the T tokens. cache: the list that
            make_cache returns; layer i reads and writes cache[i] at start_pos. The caller
            passes start_pos = the number of tokens already cached, so
                cache = model.make_cache(B, 12)
                model(ids[:, :7], cache, 0); model(ids[:, 7:8], cache, 7); ...; model(ids[:, 11:], cache, 11)
            gives the same logits, row for row, as model(ids).
        make_cache(batch_size, max_len) -> list of num_hidden_layers MLACache
            (katas/mla/attention.py), one per layer, empty, in the model's dtype and on its
            device (those of its weights). Per sequence and position it holds
            num_hidden_layers * (kv_lora_rank + qk_rope_head_dim) numbers and nothing else:
            DeepSeek-V3 (61 layers, 512 + 64) at 128K tokens in bfloat16 is 9.2 GB, where
            full per-head keys and values (128 heads x (192 + 128)) would take 655 GB.
        generate(input_ids, max_new_tokens) -> (B, T0 + max_new_tokens) int64, greedy:
            input_ids (B, T0) the prompts (left as they are: the result starts with them).
            Make a cache for T0 + max_new_tokens positions, run the prompt through forward
            ONCE (prefill, start_pos=0), take the argmax of the last position's logits as the
            next token; then feed each new token alone (T = 1) with the cache at its own
            position: the first generated token sits at position T0, the next at T0 + 1, ...
            So the model runs max_new_tokens times in all: the prefill of all T0 prompt
            tokens, then max_new_tokens - 1 single tokens (the last new token is never fed
            back: its logits would go unused).
            Deterministic (argmax, no sampling); each row independent of the others; no
            gradients (torch.no_grad()); the model's train/eval mode left as it is.
            max_new_tokens = 0 returns the prompt. No stopping at an end-of-sequence token.
            Runs where the model and input_ids are (a GPU): every tensor it builds goes there.

Conventions: DeepSeek's (Hugging Face's DeepseekV3ForCausalLM) names and layout; no dropout;
rope_scaling (YaRN) is not applied (the specs use rope_scaling=None). float32 or float64
(model.double() makes everything float64, cache included). Inputs are not modified.
You use your own katas: DecoderLayer (katas.deepseek.block), MLACache (katas.mla.attention),
RMSNorm (katas.mla.components).
Off limits: none.
Run: pytest katas/deepseek/model.py
"""

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
        """embed_tokens, layers (num_hidden_layers DecoderLayers), norm."""
        super().__init__()
        raise NotImplementedError

    def forward(self, input_ids: torch.Tensor, cache: Optional[list[MLACache]] = None,
                start_pos: int = 0) -> torch.Tensor:
        """input_ids (B, T) at positions start_pos.. -> normalised hidden states (B, T, hidden)."""
        raise NotImplementedError


class DeepSeekForCausalLM(nn.Module):
    """DeepSeekModel plus an untied lm_head; greedy generation over the latent cache."""

    def __init__(self, config: DeepSeekConfig):
        """model = DeepSeekModel(config), lm_head = Linear(hidden_size, vocab_size, bias=False)."""
        super().__init__()
        raise NotImplementedError

    def forward(self, input_ids: torch.Tensor, cache: Optional[list[MLACache]] = None,
                start_pos: int = 0) -> torch.Tensor:
        """input_ids (B, T) -> logits (B, T, vocab_size)."""
        raise NotImplementedError

    def make_cache(self, batch_size: int, max_len: int) -> list[MLACache]:
        """One empty latent cache per layer, in the model's dtype and on its device."""
        raise NotImplementedError

    def generate(self, input_ids: torch.Tensor, max_new_tokens: int) -> torch.Tensor:
        """Greedy: (B, T0) -> (B, T0 + max_new_tokens); prefill once, then one token per step."""
        raise NotImplementedError
