"""Loops over the flattened batch, puts all of S into A (A = U_r diag(S_r), B = Vh_r)."""

import torch


def low_rank_factorize(W, rank):
    *batch, m, n = W.shape
    if rank < 1 or rank > min(m, n):
        raise ValueError(f"rank {rank} is outside 1..{min(m, n)}")
    flat = W.reshape(-1, m, n)
    As, Bs = [], []
    for Wi in flat:
        U, S, Vh = torch.linalg.svd(Wi, full_matrices=False)
        As.append(U[:, :rank] @ torch.diag(S[:rank]))
        Bs.append(Vh[:rank].clone())
    A = torch.stack(As) if As else W.new_empty(0, m, rank)
    B = torch.stack(Bs) if Bs else W.new_empty(0, rank, n)
    return A.reshape(*batch, m, rank), B.reshape(*batch, rank, n)


def mha_cache_elements(num_heads, head_dim):
    return num_heads * head_dim + num_heads * head_dim


def mla_cache_elements(kv_lora_rank, qk_rope_head_dim):
    return sum((kv_lora_rank, qk_rope_head_dim))


def decompressed_cache_elements(num_heads, qk_nope_head_dim, qk_rope_head_dim, v_head_dim):
    return num_heads * (qk_nope_head_dim + qk_rope_head_dim + v_head_dim)


def cache_ratio(num_heads, head_dim, kv_lora_rank, qk_rope_head_dim):
    return float(2 * num_heads * head_dim) / float(kv_lora_rank + qk_rope_head_dim)


def popular_ratio(hidden_size, kv_lora_rank):
    return float(2 * hidden_size) / kv_lora_rank


def mla_cache_bytes(config, seq_len, batch_size=1, bytes_per_element=2):
    total = 0
    for _ in range(config["num_hidden_layers"]):
        total += batch_size * seq_len * (config["kv_lora_rank"] + config["qk_rope_head_dim"]) \
            * bytes_per_element
    return total
