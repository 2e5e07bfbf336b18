"""einsum style: per-head projections by einsum, a non-persistent causal buffer, nn.Dropout modules under other names, generation into a preallocated buffer."""

import math

import torch
import torch.nn as nn

from solutions.transformer.gpt2 import GPT2Config  # noqa: F401 (the config dataclass is given)


class SelfAttention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        C = cfg.n_embd
        self.c_attn, self.c_proj = nn.Linear(C, 3 * C), nn.Linear(C, C)
        self.heads = cfg.n_head
        self.drop_w, self.drop_out = nn.Dropout(cfg.dropout), nn.Dropout(cfg.dropout)
        self.register_buffer("tril", torch.tril(torch.ones(cfg.block_size, cfg.block_size,
                                                           dtype=torch.bool)), persistent=False)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.c_attn(x).chunk(3, dim=-1)
        q, k, v = (t.unflatten(-1, (self.heads, C // self.heads)) for t in (q, k, v))  # (B, T, H, d)
        s = torch.einsum("bihd,bjhd->bhij", q, k) / math.sqrt(C // self.heads)
        s = s.masked_fill(~self.tril[:T, :T], float("-inf"))
        w = self.drop_w(torch.softmax(s, dim=-1))
        y = torch.einsum("bhij,bjhd->bihd", w, v).flatten(2)
        return self.drop_out(self.c_proj(y))


class FF(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.c_fc, self.c_proj = nn.Linear(cfg.n_embd, 4 * cfg.n_embd), nn.Linear(4 * cfg.n_embd, cfg.n_embd)
        self.act, self.drop_out = nn.GELU(approximate="tanh"), nn.Dropout(cfg.dropout)

    def forward(self, x):
        return self.drop_out(self.c_proj(self.act(self.c_fc(x))))


class Layer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.ln_1, self.ln_2 = (nn.LayerNorm(cfg.n_embd, eps=cfg.layer_norm_epsilon) for _ in range(2))
        self.attn, self.mlp = SelfAttention(cfg), FF(cfg)

    def forward(self, x):
        h = x + self.attn(self.ln_1(x))
        return h + self.mlp(self.ln_2(h))


class GPT2(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.block_size = config.block_size
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(config.vocab_size, config.n_embd),
            wpe=nn.Embedding(config.block_size, config.n_embd),
            h=nn.ModuleList(Layer(config) for _ in range(config.n_layer)),
            ln_f=nn.LayerNorm(config.n_embd, eps=config.layer_norm_epsilon)))
        self.emb_drop = nn.Dropout(config.dropout)
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        self.lm_head.weight = self.transformer.wte.weight

    def forward(self, idx):
        B, T = idx.shape
        if T > self.block_size:
            raise ValueError(f"got {T} tokens, but block_size is {self.block_size}")
        x = self.emb_drop(self.transformer.wte(idx) + self.transformer.wpe.weight[:T])
        for layer in self.transformer.h:
            x = layer(x)
        return self.lm_head(self.transformer.ln_f(x))

    @torch.no_grad()
    def generate(self, idx, max_new_tokens, temperature=1.0, top_k=None):
        B, T = idx.shape
        buf = torch.empty(B, T + max_new_tokens, dtype=torch.long, device=idx.device)
        buf[:, :T] = idx
        for n in range(T, T + max_new_tokens):
            logits = self(buf[:, max(0, n - self.block_size):n])[:, -1]
            if temperature == 0:
                buf[:, n] = logits.argmax(-1)
                continue
            logits = logits / temperature
            if top_k is not None:
                k = min(top_k, logits.shape[-1])
                vals, ids = logits.topk(k, dim=-1)
                logits = torch.full_like(logits, float("-inf")).scatter(-1, ids, vals)
            buf[:, n] = torch.multinomial(logits.softmax(-1), 1)[:, 0]
        return buf
