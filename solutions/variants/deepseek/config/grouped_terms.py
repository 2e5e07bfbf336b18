"""Groups the count as (shared by total and activated) + (total-only) terms, per layer kind."""

from solutions.deepseek.config import DEEPSEEK_V2, DEEPSEEK_V3, TINY, DeepSeekConfig  # noqa: F401


def count_parameters(config):
    c = config
    H, n = c.hidden_size, c.num_attention_heads
    qk = c.qk_nope_head_dim + c.qk_rope_head_dim
    q = H * n * qk if c.q_lora_rank in (None, 0) else c.q_lora_rank * (H + 1 + n * qk)
    attn = (q + (c.kv_lora_rank + c.qk_rope_head_dim) * H + c.kv_lora_rank
            + c.kv_lora_rank * n * (c.qk_nope_head_dim + c.v_head_dim) + H * n * c.v_head_dim)
    L = c.num_hidden_layers
    dense_layers = max(0, min(L, c.first_k_dense_replace))
    moe_layers = L - dense_layers
    e = 3 * H * c.moe_intermediate_size
    both = (L * (attn + 2 * H) + H + c.vocab_size * H
            + dense_layers * 3 * H * c.intermediate_size
            + moe_layers * (H * c.n_routed_experts + e * c.n_shared_experts))
    total = both + moe_layers * e * c.n_routed_experts + (0 if c.tie_word_embeddings else c.vocab_size * H)
    activated = both + moe_layers * e * c.num_experts_per_tok
    return total, activated
