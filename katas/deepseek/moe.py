"""Day 30 — deepseek/moe: DeepSeekMoE, with DeepSeek-V2 and DeepSeek-V3 routing.

A DeepSeekMoE layer replaces the MLP of a decoder layer: a gate scores every token against
n_routed_experts small SwiGLU experts and sends it to num_experts_per_tok (k) of them; the
token's output is the weighted sum of those k experts' outputs plus the output of the shared
experts, which see every token. All sizes and switches come from DeepSeekConfig
(katas/deepseek/config.py). E = n_routed_experts, H = hidden_size.

Write:
    Gate(config) -> nn.Module, the router.
        weight: nn.Parameter (E, H).
        e_score_correction_bias: a BUFFER (register_buffer, persistent, float32 zeros at
            init, float32 whatever torch's default dtype), created only when
            config.topk_method == "noaux_tc". No gradient trains it: update_bias below does
            (the loop stores its new tensor back: gate.e_score_correction_bias = update_bias(
            ...)), so forward reads the buffer at every call.
            State-dict keys: exactly "weight" (+ "e_score_correction_bias").
        forward(x) -> (topk_idx, topk_weight) for x (..., H), any leading dims, flattened to
            N tokens: topk_idx (N, k) int64 and topk_weight (N, k) float32. Row t names the k
            distinct experts of token t, in any order, and their weights in the same order.
            N may be 0 (an empty batch): both outputs are then (0, k).
            Each step below reads its own field (scoring_func, topk_method, norm_topk_prob),
            whatever the others are: a config may mix V2 and V3 switches.
            1. logits = x @ weight.T, computed in float32 (cast both with .float()).
            2. scores = softmax(logits) over ALL E experts if scoring_func == "softmax" (V2),
               sigmoid(logits) if "sigmoid" (V3).
            3. choice = scores + e_score_correction_bias for "noaux_tc" (V3), else scores.
               The bias only CHOOSES experts: it never enters the weights.
            4. Group-limited routing, for topk_method "group_limited_greedy" (V2) and
               "noaux_tc" (V3): view choice as (N, n_group, E / n_group) (group g holds
               experts g*E/n_group .. (g+1)*E/n_group - 1); a group's score is its largest
               choice ("group_limited_greedy") or the sum of its two largest ("noaux_tc");
               keep the topk_group best groups and set every expert of the other groups to
               -inf (NOT 0: biased V3 scores can be negative, and 0 would then beat them).
               topk_method "greedy" (V2-Lite): no groups.
            5. topk_idx = the k largest choices.
            6. topk_weight = scores (unbiased!) of those experts; if norm_topk_prob (V3),
               divide them by their sum; then multiply by routed_scaling_factor (both V2 and
               V3 do). V2 (norm_topk_prob False) keeps the softmax over all E: its k weights
               do not sum to 1 before scaling. (Not Mixtral's softmax over the k top logits.)
            topk_weight stays differentiable w.r.t. weight (the gate learns through it);
            the selection needs no gradient.
    Expert(hidden_size, intermediate_size) -> nn.Module, a SwiGLU MLP:
        gate_proj, up_proj: nn.Linear(hidden, intermediate, bias=False); down_proj:
        nn.Linear(intermediate, hidden, bias=False); forward(x (..., hidden)) ->
        down_proj(silu(gate_proj(x)) * up_proj(x)), same shape and dtype.
    MoE(config) -> nn.Module with
        gate = Gate(config); experts = nn.ModuleList of E Expert(H, moe_intermediate_size);
        shared_experts = Expert(H, n_shared_experts * moe_intermediate_size) (the shared
        experts fused into one MLP; None when n_shared_experts == 0).
        State-dict keys, as in DeepSeek's checkpoints: gate.weight
        (+ gate.e_score_correction_bias), experts.{j}.{gate,up,down}_proj.weight,
        shared_experts.{gate,up,down}_proj.weight.
        forward(x (B, T, H)) -> (B, T, H), x's dtype (T may be 0): for every token t
            y_t = sum_j topk_weight[t, j] * experts[topk_idx[t, j]](x_t) + shared_experts(x_t)
        ONLY the FFN output: no residual (the decoder layer adds it: h = h + moe(norm(h))).
        Every token's output depends on that token alone: no expert capacity, no token
        dropped or counted twice, whatever else is in the batch.
        Vectorised dispatch: no Python loop over tokens. Group the (token, expert) pairs by
        expert (argsort of topk_idx.flatten(), or torch.where(topk_idx == e) per expert), run
        each expert ONCE on all its tokens, and add the weighted rows back into place
        (index_add_). A loop over the experts is fine. Checked: the number of torch ops does
        not grow with the number of tokens; 2048 tokens run in at most a quarter of the time
        of a per-token loop; the matmul FLOPs stay within 1.25x of what the gate, each token's
        k routed experts and the shared experts need (computing every expert on every token
        and masking is E / k times that).
    load_balance_loss(scores, topk_idx, alpha) -> scalar tensor, DeepSeek-V2's expert-level
        balance loss over T tokens, E = scores.shape[-1] experts, K = topk_idx.shape[-1]:
            f_i = E / (K * T) * (number of tokens whose topk_idx contains expert i)
            P_i = (1 / T) * sum_t scores[t, i]
            loss = alpha * sum_i f_i * P_i
        scores (T, E): the gate's affinities for ALL experts (softmax), differentiable; the
        loss's gradient flows through P only (f is a count). dtype of scores. Perfectly
        balanced routing with uniform scores gives exactly alpha; alpha=0.0 gives 0.
    update_bias(bias, expert_counts, gamma) -> new bias (E,), bias's dtype: DeepSeek-V3's
        auxiliary-loss-free balancing, after a training step:
            new_bias = bias + gamma * sign(mean(expert_counts) - expert_counts)
        (an overloaded expert's bias goes DOWN by gamma, an underloaded one's UP; one exactly
        at the mean load keeps its bias; gamma=0.0 freezes the bias, as in DeepSeek-V3's last
        500B training tokens). expert_counts (E,): tokens routed to each expert
        (int64 from bincount, or float). Returns a new tensor; bias is not modified.

Off limits: none (torch.topk, softmax, sigmoid, argsort, index_add_ are all fine).
Conventions: inputs are not modified; everything runs on the inputs' device (a GPU): helper
tensors are built there (device=x.device, *_like, new_*). Initialisation is not checked (the specs load their own
weights); DeepSeek draws the gate's weight from normal(0, initializer_range).
Run: pytest katas/deepseek/moe.py
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from katas.deepseek.config import DeepSeekConfig


class Gate(nn.Module):
    """DeepSeek's router: scores, (group-limited) top-k selection, routing weights."""

    def __init__(self, config: DeepSeekConfig):
        super().__init__()
        raise NotImplementedError

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """x (..., H) -> (topk_idx (N, k) int64, topk_weight (N, k) float32)."""
        raise NotImplementedError


class Expert(nn.Module):
    """SwiGLU MLP: down_proj(silu(gate_proj(x)) * up_proj(x)), no biases."""

    def __init__(self, hidden_size: int, intermediate_size: int):
        super().__init__()
        raise NotImplementedError

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(..., hidden) -> (..., hidden)."""
        raise NotImplementedError


class MoE(nn.Module):
    """Routed experts + shared experts, vectorised dispatch; returns the FFN output only."""

    def __init__(self, config: DeepSeekConfig):
        super().__init__()
        raise NotImplementedError

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, T, H) -> (B, T, H), no residual."""
        raise NotImplementedError


def load_balance_loss(scores: torch.Tensor, topk_idx: torch.Tensor, alpha: float) -> torch.Tensor:
    """alpha * sum_i f_i * P_i with f_i = E/(K*T) * count_i and P_i = mean_t scores[t, i]."""
    raise NotImplementedError


def update_bias(bias: torch.Tensor, expert_counts: torch.Tensor, gamma: float) -> torch.Tensor:
    """bias + gamma * sign(mean(counts) - counts), as a new tensor."""
    raise NotImplementedError
