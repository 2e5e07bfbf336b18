"""SDPA style: F.scaled_dot_product_attention(is_causal=True, dropout_p=...), F.dropout elsewhere, top-k by sorting, blocks as plain nn.Modules holding attributes."""

import torch
import torch.nn as nn
import torch.nn.functional as F

from solutions.transformer.gpt2 import GPT2Config  # noqa: F401 (the config dataclass is given)


class _Attn(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.c_attn = nn.Linear(cfg.n_embd, 3 * cfg.n_embd)
        self.c_proj = nn.Linear(cfg.n_embd, cfg.n_embd)
        self.h, self.p = cfg.n_head, cfg.dropout

    def forward(self, x):
        B, T, C = x.shape
        qkv = self.c_attn(x).reshape(B, T, 3, self.h, C // self.h).permute(2, 0, 3, 1, 4)
        y = F.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2], is_causal=True,
                                           dropout_p=self.p if self.training else 0.0)
        y = y.permute(0, 2, 1, 3).reshape(B, T, C)
        return F.dropout(self.c_proj(y), self.p, self.training)


class _MLP(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.c_fc = nn.Linear(cfg.n_embd, 4 * cfg.n_embd)
        self.c_proj = nn.Linear(4 * cfg.n_embd, cfg.n_embd)
        self.p = cfg.dropout

    def forward(self, x):
        return F.dropout(self.c_proj(F.gelu(self.c_fc(x), approximate="tanh")), self.p, self.training)


class _Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.ln_1 = nn.LayerNorm(cfg.n_embd, eps=cfg.layer_norm_epsilon)
        self.attn = _Attn(cfg)
        self.ln_2 = nn.LayerNorm(cfg.n_embd, eps=cfg.layer_norm_epsilon)
        self.mlp = _MLP(cfg)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT2(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.cfg = config
        self.transformer = nn.ModuleDict({
            "wte": nn.Embedding(config.vocab_size, config.n_embd),
            "wpe": nn.Embedding(config.block_size, config.n_embd),
            "h": nn.ModuleList([_Block(config) for _ in range(config.n_layer)]),
            "ln_f": nn.LayerNorm(config.n_embd, eps=config.layer_norm_epsilon),
        })
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        self.lm_head.weight = self.transformer["wte"].weight

    def forward(self, idx):
        T = idx.size(1)
        if T > self.cfg.block_size:
            raise ValueError(f"T={T} exceeds block_size={self.cfg.block_size}")
        t = self.transformer
        x = F.dropout(t["wte"](idx) + t["wpe"](torch.arange(T, device=idx.device))[None],
                      self.cfg.dropout, self.training)
        for blk in t["h"]:
            x = blk(x)
        return self.lm_head(t["ln_f"](x))

    @torch.no_grad()
    def generate(self, idx, max_new_tokens, temperature=1.0, top_k=None):
        out = idx
        for _ in range(max_new_tokens):
            last = self(out[:, max(0, out.shape[1] - self.cfg.block_size):])[:, -1]
            if temperature == 0:
                tok = last.argmax(-1)[:, None]
            else:
                last = last / temperature
                if top_k is not None and top_k < last.shape[-1]:
                    srt = last.sort(dim=-1, descending=True).values
                    last = torch.where(last < srt[:, top_k - 1:top_k], float("-inf"), last)
                tok = torch.multinomial(F.softmax(last, dim=-1), 1)
            out = torch.cat((out, tok), 1)
        return out
