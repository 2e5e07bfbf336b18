"""Day 31 — deepseek/block: the DeepSeek decoder layer.

One layer of DeepSeek-V2/V3: pre-norm residual blocks around multi-head latent attention
(katas/mla/attention.py) and a feed-forward network that is a dense SwiGLU MLP in the first
layers and a mixture of experts (katas/deepseek/moe.py) in all the others:

    h   = x + self_attn(input_layernorm(x))             (attention over the latent cache)
    out = h + mlp(post_attention_layernorm(h))

Write:
    DecoderLayer(config, layer_idx) -> nn.Module. config: a DeepSeekConfig
        (katas/deepseek/config.py); layer_idx: this layer's index, 0 .. num_hidden_layers - 1.
        Submodules, with Hugging Face's DeepSeek-V3 names (the state_dict keys are pinned:
        they are those of DeepseekV3DecoderLayer, so DeepSeek's checkpoints load):
            input_layernorm           RMSNorm(hidden_size, eps=rms_norm_eps)
            self_attn                 MultiHeadLatentAttention(config): it reads the same
                                      field names, so pass the DeepSeekConfig itself
            post_attention_layernorm  RMSNorm(hidden_size, eps=rms_norm_eps)
            mlp                       layers 0 .. first_k_dense_replace - 1 (layer_idx <
                                      first_k_dense_replace): a DENSE SwiGLU MLP of width
                                      intermediate_size (gate_proj, up_proj, down_proj, no
                                      biases: Expert(hidden_size, intermediate_size) is one);
                                      every later layer: MoE(config) (gate, experts,
                                      shared_experts). DeepSeek-V3: first_k_dense_replace = 3
                                      of 61 layers, V2: 1 of 60; first_k_dense_replace = 0
                                      makes every layer MoE.
        State-dict keys, for a dense layer:
            input_layernorm.weight, post_attention_layernorm.weight,
            self_attn.{q_a_proj, q_a_layernorm, q_b_proj (or q_proj), kv_a_proj_with_mqa,
                       kv_a_layernorm, kv_b_proj, o_proj}.weight,
            mlp.gate_proj.weight (intermediate_size, hidden_size), mlp.up_proj.weight,
            mlp.down_proj.weight (hidden_size, intermediate_size)
        and for an MoE layer the same with mlp.* replaced by MoE's keys: mlp.gate.weight
        (+ mlp.gate.e_score_correction_bias for V3), mlp.experts.{j}.{gate,up,down}_proj.weight,
        mlp.shared_experts.{gate,up,down}_proj.weight.
        forward(x, cache=None, start_pos=0) -> (B, T, hidden_size), x's dtype
            x: (B, T, hidden_size), the tokens at positions start_pos .. start_pos + T - 1.
            cache, start_pos: passed on to self_attn unchanged (the same meaning as in
            MultiHeadLatentAttention.forward: cache=None attends among x's T tokens, causally;
            an MLACache of THIS layer stores the new tokens' latents at start_pos and attends
            to every cached position). A prefill then one token at a time equals one forward
            of all the tokens.
            Pre-norm: each sub-block reads the NORMALISED stream and adds its output to the
            UN-normalised stream x (or h); nothing normalises the sum.

Conventions: DeepSeek's and Hugging Face's DeepseekV3DecoderLayer; no dropout; the routing
details, the latent cache and RoPE are your earlier katas' (rope_scaling, YaRN, is not
applied: the specs use rope_scaling=None). float32 or float64. x is not modified.
You use your own katas: RMSNorm from katas.mla.components, MultiHeadLatentAttention and
MLACache from katas.mla.attention, Expert and MoE from katas.deepseek.moe.
Off limits: none.
Run: pytest katas/deepseek/block.py
"""

from typing import Optional

import torch
from torch import nn

from katas.deepseek.config import DeepSeekConfig
from katas.deepseek.moe import Expert, MoE
from katas.mla.attention import MLACache, MultiHeadLatentAttention
from katas.mla.components import RMSNorm


class DecoderLayer(nn.Module):
    """Pre-norm DeepSeek layer: x + MLA(norm(x)), then h + FFN(norm(h)); FFN dense or MoE."""

    def __init__(self, config: DeepSeekConfig, layer_idx: int):
        """input_layernorm, self_attn, post_attention_layernorm, mlp (dense if layer_idx < first_k_dense_replace)."""
        super().__init__()
        raise NotImplementedError

    def forward(self, x: torch.Tensor, cache: Optional[MLACache] = None, start_pos: int = 0) -> torch.Tensor:
        """x (B, T, hidden) at positions start_pos.. -> (B, T, hidden)."""
        raise NotImplementedError
