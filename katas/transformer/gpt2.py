"""GPT-2 — transformer/gpt2: a decoder-only language model, loadable with GPT-2's weights.

GPT2Config (given below; keep its field names): vocab_size, block_size (the number of learned
positions, Hugging Face's n_positions), n_layer, n_head, n_embd, layer_norm_epsilon, dropout.
The defaults are GPT-2 small.

Write:
    GPT2(config) -> an nn.Module whose state_dict has EXACTLY these keys (nanoGPT's names;
        C = n_embd, V = vocab_size, every Linear in nn.Linear's (out, in) layout, with bias):
            transformer.wte.weight               (V, C)           token embeddings
            transformer.wpe.weight               (block_size, C)  learned position embeddings
            transformer.h.{i}.ln_1.weight/.bias  (C,)             i = 0 .. n_layer - 1
            transformer.h.{i}.attn.c_attn.weight (3C, C), .bias (3C,)   q, k, v stacked in that order
            transformer.h.{i}.attn.c_proj.weight (C, C),  .bias (C,)
            transformer.h.{i}.ln_2.weight/.bias  (C,)
            transformer.h.{i}.mlp.c_fc.weight    (4C, C), .bias (4C,)
            transformer.h.{i}.mlp.c_proj.weight  (C, 4C), .bias (C,)
            transformer.ln_f.weight/.bias        (C,)
            lm_head.weight                       (V, C), no bias, TIED: the very same Parameter
                                                 as transformer.wte.weight
        and nothing else (a causal-mask buffer, if you keep one, must be persistent=False).
        nn.ModuleDict / nn.ModuleList give these names: self.transformer = nn.ModuleDict(dict(
        wte=..., wpe=..., h=nn.ModuleList(...), ln_f=...)); self.lm_head = nn.Linear(...);
        then tie with self.lm_head.weight = self.transformer.wte.weight.

    GPT2.forward(idx) -> logits (B, T, V) float32, for idx (B, T) int64 with 1 <= T <= block_size
        (T > block_size raises ValueError naming T and block_size). A float32 model gives float32
        logits whatever torch.get_default_dtype() is (a float causal mask made with torch.full(...)
        and no dtype= follows the default dtype: build it bool, or with x's dtype):
        x = wte(idx) + wpe(positions 0, 1, ..., T-1)            (dropout after, in training)
        for each block:  x = x + attn(ln_1(x));  x = x + mlp(ln_2(x))        (pre-LayerNorm)
        logits = lm_head(ln_f(x))
        attn: causal self-attention with n_head heads of size C / n_head: q, k, v =
            c_attn(x).split(C, dim=-1); head h uses channels h*hd .. (h+1)*hd - 1 of each;
            softmax(q k^T / sqrt(hd)) with token t attending tokens 0..t only; heads
            concatenated back in order, then c_proj.
        Dropout (p = config.dropout, train() mode only) at exactly these places, as nanoGPT:
        on wte(idx) + wpe(pos); on the attention weights after the softmax; on attn's c_proj
        output and on the mlp's c_proj output, each before its residual add (none inside
        the mlp).
        mlp: c_proj(GELU_tanh(c_fc(x))), GELU with the tanh approximation
            (nn.GELU(approximate="tanh")), as GPT-2 was trained.
        Positions and any causal mask are built on idx's device (device=idx.device, or a
        registered buffer that moves with the model).
        LayerNorms use eps = config.layer_norm_epsilon. The specs compare the logits with
        Hugging Face's GPT2LMHeadModel on the same weights (committed fixtures) in eval mode.

    GPT2.generate(idx, max_new_tokens, temperature=1.0, top_k=None) -> (B, T + max_new_tokens)
        int64: idx followed by max_new_tokens new tokens, one at a time. At each step:
        - crop the context to its last block_size tokens (positions restart at 0 in that
          window), run forward, keep the logits of the last position;
        - temperature == 0: greedy, the argmax (top_k is then ignored);
        - otherwise divide the logits by temperature; with top_k, keep only the top_k
          largest logits (the rest -inf; top_k >= vocab_size keeps them all); sample from their softmax with torch.multinomial
          (the global RNG: torch.manual_seed makes runs repeat). A tiny temperature (1e-3) makes
          the logits huge (~1e4): a hand-written softmax must subtract the max first, and the
          result is then (almost surely) the greedy continuation.
        Does not modify idx; does not change train/eval mode, in either direction, not even
        for the duration of the call (the caller calls model.eval() first; a model left in
        train() mode generates in train mode, dropout included); runs without gradients
        (decorate it with @torch.no_grad()). Returns an ordinary tensor: not one made under
        torch.inference_mode(), which autograd refuses later (feeding the sample back into a
        training forward raises "Inference tensors cannot be saved for backward").
        max_new_tokens=0 returns idx's tokens.

Parameter count: GPT-2 small (GPT2Config()) has 124,439,808 parameters, the tied head counted
once: sum(p.numel() for p in model.parameters()). Build it on the meta device to count without
allocating memory: with torch.device("meta"): model = GPT2(GPT2Config()).
Initialisation is not checked (nanoGPT's: normal(0, 0.02), c_proj weights 0.02 / sqrt(2 n_layer)).

Off limits: none (nn.Linear, nn.LayerNorm, nn.Embedding, nn.GELU, torch.softmax and
F.scaled_dot_product_attention are all fine; nn.MultiheadAttention would not give the keys above).
Run: pytest katas/transformer/gpt2.py
"""

from dataclasses import dataclass

import torch
import torch.nn as nn


@dataclass
class GPT2Config:
    vocab_size: int = 50257
    block_size: int = 1024   # learned positions (Hugging Face: n_positions)
    n_layer: int = 12
    n_head: int = 12
    n_embd: int = 768
    layer_norm_epsilon: float = 1e-5
    dropout: float = 0.0     # after the embeddings, the attention weights and each residual branch


class GPT2(nn.Module):
    """Decoder-only transformer LM with learned positions and a head tied to the embeddings."""

    def __init__(self, config: GPT2Config):
        """Build transformer.{wte, wpe, h, ln_f} and the tied lm_head from config."""
        raise NotImplementedError

    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        """idx (B, T) int64 -> logits (B, T, vocab_size) float32."""
        raise NotImplementedError

    def generate(self, idx: torch.Tensor, max_new_tokens: int, temperature: float = 1.0,
                 top_k: int | None = None) -> torch.Tensor:
        """Append max_new_tokens tokens to idx (B, T); temperature 0 means greedy argmax."""
        raise NotImplementedError
