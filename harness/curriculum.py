"""The curriculum manifest: every kata of the six phases, in the order a learner takes them.

Stubs (katas/), specs (specs/), solutions (solutions/), the mistakes gallery, the README table
and the learner tools all read this list; `harness/tests/test_consistency.py` fails when they
disagree. A kata marked `planned` is catalogued but not built yet: it has no files.

    python -m harness.curriculum --readme   # rewrite the README's curriculum table
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PHASES = {
    1: "PyTorch fundamentals",
    2: "Building blocks",
    3: "Attention",
    4: "Attention optimisation",
    5: "Multi-head latent attention",
    6: "DeepSeek",
}


@dataclass(frozen=True)
class Kata:
    id: str  # "topic/name": katas/topic/name.py, specs/topic/test_name.py
    phase: int
    day: str
    title: str
    requires: tuple[str, ...] = ()  # katas whose code this one imports
    mistakes: tuple[str, ...] = ()  # gallery entries that must exist (the catalogue's row)
    hints: tuple[str, ...] = ()  # progressive: vague first, nearly the answer last
    planned: bool = False

    @property
    def topic(self) -> str:
        return self.id.split("/")[0]

    @property
    def name(self) -> str:
        return self.id.split("/")[1]

    @property
    def module(self) -> str:
        return f"katas.{self.topic}.{self.name}"

    @property
    def stub_path(self) -> Path:
        return ROOT / "katas" / self.topic / f"{self.name}.py"

    @property
    def solution_path(self) -> Path:
        return ROOT / "solutions" / self.topic / f"{self.name}.py"

    @property
    def spec_path(self) -> Path:
        return ROOT / "specs" / self.topic / f"test_{self.name}.py"

    @property
    def gallery_dir(self) -> Path:
        return ROOT / "solutions" / "gallery" / self.topic / self.name

    @property
    def variants_dir(self) -> Path:
        return ROOT / "solutions" / "variants" / self.topic / self.name


K = Kata
KATAS: tuple[Kata, ...] = (
    # ---------------------------------------------------------------- Phase 1
    K("tensors/creation", 1, "1", "Creating tensors: masks, positions, one-hot, numpy sharing",
      mistakes=("copies_numpy", "float_positions", "diagonal_off_by_one"),
      hints=(
          "Every function here is one or two torch calls; the work is choosing the call "
          "that gives the right dtype and memory behaviour.",
          "causal_mask: position i may look at j when j <= i. torch.tril keeps exactly that "
          "triangle, diagonal included. positions: torch.arange(t) then .expand(batch, t).",
          "one_hot: compare idx[..., None] with torch.arange(num_classes) and cast to int64. "
          "share_numpy: torch.from_numpy(a) shares memory; torch.tensor(a) copies.",
      )),
    K("tensors/indexing", 1, "1", "Indexing: gather, last token, masked mean",
      mistakes=("last_token_off_by_one", "mean_over_all_positions", "empty_mask_nan"),
      hints=(
          "Think in index tensors: one index tensor per dim you select along, broadcast "
          "against each other.",
          "gather_rows: x[rows, idx] with rows = torch.arange(B)[:, None] picks x[b, idx[b, k]]; "
          "last_token: x[torch.arange(B), lengths - 1]; a sequence of n tokens ends at "
          "position n - 1.",
          "masked_mean: torch.where(mask, x, 0).sum(dim) / mask.sum(dim).clamp_min(1): the "
          "clamp turns an empty slice's 0/0 into 0/1 = 0.",
      )),
    K("tensors/reshaping", 1, "1", "Reshaping: heads, patches, squeeze",
      mistakes=("view_without_transpose", "merge_with_view", "squeeze_all"),
      hints=(
          "Draw the memory layout. The channel dim C of (B, T, C) is laid out as H blocks of "
          "D = C/H; splitting it must keep each head's D values together.",
          "split_heads: view(B, T, H, D) then transpose(1, 2). merge_heads undoes both, and "
          "after a transpose the tensor is not contiguous: use reshape (or contiguous().view).",
          "patchify: reshape (B, C, H, W) to (B, C, H/p, p, W/p, p), permute so the patch "
          "grid comes first and (C, p, p) last, then flatten. squeeze_dim: only drop a dim "
          "whose size is 1; otherwise return x unchanged.",
      )),
    K("broadcasting/rules", 1, "2", "Broadcasting rules",
      mistakes=("left_aligned", "accepts_mismatch", "copies"),
      hints=(
          'Shapes are aligned from the right: pad the shorter shape with 1s on the left.',
          'Two dims are compatible when they are equal or one of them is 1; the result takes the other. Anything else is a ValueError naming both sizes.',
          'broadcast_to without copying: new leading dims and grown size-1 dims get stride 0, the others keep x.stride(). Build the strides and return x.as_strided(shape, strides).',
      )),
    K("broadcasting/products", 1, "2", "Dot and matmul from multiply and sum",
      mistakes=("vector_as_column", "no_batch_broadcast", "keeps_promoted_dim"),
      hints=(
          'matmul is a broadcast multiply followed by a sum: (…, n, k, 1) * (…, 1, k, m) summed over k.',
          "1-D arguments: a vector on the left becomes a row (1, k), on the right a column (k, 1); after the product remove exactly the dim you added. Check the two k's agree before multiplying: broadcasting would accept 1 vs 3.",
          'Batch dims broadcast like any elementwise op: a.unsqueeze(-1) * b.unsqueeze(-3), then sum(dim=-2).',
      )),
    K("broadcasting/reductions", 1, "2", "Reductions: mean, max with indices, distances, normalize",
      mistakes=("keepdim_ignored", "wrong_sum_axis", "argmax_wrong_dim"),
      hints=(
          'A reduction removes `dim` unless keepdim=True; keep the dim when you need the result to broadcast back against x.',
          'max: values and indices both come from the same dim; the indices are positions along that dim. Scan the slices along dim, keeping the best value and its position with torch.where (min/sort are off limits too).',
          'pairwise_sq_dists(a, b): broadcast a[:, None] - b[None] and sum squares over the last dim, or ||a||^2 + ||b||^2 - 2 a b^T. normalize divides by the norm over dim, kept for broadcasting, clamped with clamp_min(eps).',
      )),
    K("autograd/basics", 1, "3", "Autograd: grad, jacobian, accumulation, no_grad",
      mistakes=("backward_twice", "grad_not_accumulated", "output_attached"),
      hints=(
          'torch.autograd.grad(y, x) returns dy/dx without touching x.grad; .backward() adds into x.grad.',
          'jacobian: flatten f(x) and take one torch.autograd.grad per output element with retain_graph=True; stack the rows and reshape to f(x).shape + x.shape.',
          'accumulated_grad: y = f(x) once, then y.backward(retain_graph=True) `times` times; .grad adds up to times * df/dx. no_grad_eval: was = model.training; model.eval(); with torch.no_grad(): out = model(x); then model.train(was).',
      )),
    K("autograd/rules", 1, "4", "Backward rules by hand, with broadcasting",
      mistakes=("no_unbroadcast", "sub_sign", "div_grad_sign"),
      hints=(
          "Each backward returns one gradient per forward input, with exactly that input's shape (the specs call backward directly).",
          "unbroadcast: sum over the leading dims broadcasting added, then over every dim that is 1 in the input's shape, with keepdim=True.",
          'Sub: (g, -g). Div: (g / b, -g * a / b**2). Pow: (g * b * a**(b - 1), g * a**b * log a). MatMul: (g @ b^T, a^T @ g), transposing the last two dims. Pass every one through unbroadcast.',
      )),
    K("autograd/engine", 1, "4", "A scalar autograd engine (micrograd-style)",
      mistakes=("assign_not_accumulate", "insertion_order"),
      hints=(
          'Each Value stores its data, grad, the Values it came from and a function that pushes its grad to them.',
          'A node used twice receives gradient from both uses: accumulate with +=.',
          'backward(): build a topological order with a post-order DFS (visited set), set self.grad = 1 and call the local backward functions in reverse of that order; first-reached (BFS) order is wrong for diamonds.',
      )),
    K("modules/mlp", 1, "5", "An MLP module and parameter counting",
      mistakes=("plain_list", "counts_tied_twice"),
      hints=(
          'Sub-modules assigned as attributes of an nn.Module are registered; a plain Python list of layers is not: state_dict(), parameters() and optimizers never see them.',
          'count_parameters: module.parameters() walks every sub-module and yields a shared (tied) parameter only once; state_dict() would also count buffers.',
          'mlp_param_count: a Linear(a, b) has a*b weights and b biases, so d_in*d_hidden + d_hidden*d_out, plus d_hidden + d_out when bias=True.',
      )),
    K("training/manual_mlp", 1, "6", "Forward and backward of an MLP by hand",
      mistakes=("relu_mask_wrong_tensor", "no_divide_by_n", "weight_grad_transposed"),
      hints=(
          'Keep in the cache every tensor the backward needs: x, the pre-activation h (or a = relu(h)), and W2.',
          'dlogits = (softmax(logits) - one_hot(y)) / N. Through the second Linear: dW2 = dlogits.T @ a (shape (C, H), like W2), db2 = dlogits.sum(0), da = dlogits @ W2.',
          "Through the ReLU: dh = da * (h > 0); then dW1 = dh.T @ x and db1 = dh.sum(0). Every gradient has its parameter's shape.",
      )),
    K("training/loop", 1, "6", "A training loop: epochs, evaluation",
      mistakes=("no_zero_grad", "mean_of_batch_means", "eval_in_train_mode"),
      hints=(
          'One step per batch: zero_grad, forward, loss, backward, step.',
          'A per-sample mean over an epoch weights each batch by its size: add loss.item() * batch_size, then divide by the number of samples (the last batch may be short).',
          'evaluate: remember model.training, call model.eval(), loop under torch.no_grad(), then call model.train(was_training).',
      )),
    K("data/datasets", 1, "7", "Datasets and collate functions",
      mistakes=("one_window_too_many", "target_not_shifted", "mask_inverted"),
      hints=(
          'With N tokens and block size T there are N - T windows: each needs T inputs and the T next tokens.',
          'x = tokens[i : i + T], y = tokens[i + 1 : i + T + 1]; too few tokens for one window is a ValueError.',
          'pad_collate: torch.full((B, L), pad_id), copy each sequence into the left of its row; mask = arange(L) < lengths[:, None] (True on real tokens).',
      )),
    # ---------------------------------------------------------------- Phase 2
    K("layers/linear", 2, "8", "Linear layer and initialisation",
      mistakes=("fans_swapped", "weight_in_out"),
      hints=(
          'nn.Linear keeps one row of weight per output: weight is (out_features, in_features) and the forward is x @ weight.T + bias, which works for any number of leading dims.',
          'fan_in is how many inputs each output sums over: shape[1] times the product of any kernel dims (fan_out uses shape[0]). nn.Linear draws weight and bias from U(-1/sqrt(in_features), 1/sqrt(in_features)).',
          'xavier_uniform_: a = gain * sqrt(6 / (fan_in + fan_out)); tensor.uniform_(-a, a) under torch.no_grad(). kaiming_normal_: std = gain / sqrt(fan), gain sqrt(2 / (1 + a^2)) for leaky_relu; tensor.normal_(0, std). Return tensor itself.',
      )),
    K("layers/embedding", 2, "8", "Embedding and dropout",
      mistakes=("dropout_scaled_in_eval", "dropout_unscaled_in_train"),
      hints=(
          'An embedding is a table lookup: weight[idx] already has shape idx.shape + (embedding_dim,), and its backward adds up the gradients of repeated rows.',
          'padding_idx: zero that row at init, and stop its gradient by detaching the pad positions, e.g. torch.where((idx == padding_idx)[..., None], out.detach(), out).',
          'Dropout: in training keep = torch.rand(x.shape) >= p and return x * keep / (1 - p) (p = 1: zeros, not 0 * inf); when not self.training return x unchanged.',
      )),
    K("activations/functions", 2, "9", "Activations with hand-written backward",
      mistakes=("sigmoid_overflow", "silu_missing_term", "gelu_tanh_constant"),
      hints=(
          'Each Function saves what its backward needs on ctx (input or output) and returns one gradient per forward argument: None for negative_slope, approximate, beta and threshold.',
          "To stay finite at +-1e4, only ever exponentiate -|x| (sigmoid = 1/(1+e) or e/(1+e) with e = exp(-|x|)), and write derivatives through the output: sigmoid' = s(1 - s), tanh' = 1 - t^2.",
          "SiLU' = s + x*s*(1 - s); GELU' = Phi(x) + x*phi(x); the tanh form uses sqrt(2/pi) and 0.044715; Softplus is x with gradient 1 where beta*x > threshold, sigmoid(beta*x) elsewhere; swiglu = silu(x @ w_gate) * (x @ w_up).",
      )),
    K("losses/softmax", 2, "10", "Stable softmax and log-softmax",
      mistakes=("no_max_subtraction", "wrong_dim", "no_keepdim"),
      hints=(
          'Softmax is unchanged when the same constant is added to every entry of a slice: use that to keep exp from overflowing.',
          'Reduce over `dim` (not always the last one) and keep the reduced dim (keepdim=True) so it broadcasts back against x.',
          's = x - x.amax(dim, keepdim=True); softmax = s.exp() / s.exp().sum(dim, keepdim=True); log_softmax = s - s.exp().sum(dim, keepdim=True).log().',
          'Softmax.backward: with y saved in forward, return y * (g - (g * y).sum(ctx.dim, keepdim=True)), None.',
      )),
    K("losses/cross_entropy", 2, "10", "Cross-entropy with ignore_index and smoothing",
     
      mistakes=("mean_over_ignored", "smoothing_over_c_minus_1", "log_of_softmax"),
      hints=(
          'Per position the loss is -log_softmax(logits)[target] with the class dim last; compute log_softmax in log space, never log(softmax).',
          "Targets equal to ignore_index get loss 0 and do not count: 'mean' divides by (target != ignore_index).sum().",
          'Label smoothing: loss = (1 - eps) * nll + eps * (-log_p).mean(-1), with eps spread over all C classes.',
          'cross_entropy_backward: (softmax(logits) - one_hot(target)) / target.numel().',
      )),
    K("losses/regression", 2, "10", "MSE and binary cross-entropy",
      mistakes=("naive_log_sigmoid", "pos_weight_on_negatives"),
      hints=(
          'MSE: (pred - target) ** 2, then mean, sum or none. BCE: -(t log p + (1 - t) log(1 - p)), averaged.',
          'bce_loss: clamp each log at -100 before multiplying by the target (probs of 0 and 1 give 100 or 0, never NaN).',
          'bce_with_logits: never take log(sigmoid(x)) directly: log(sigmoid(x)) = -(max(-x, 0) + log1p(exp(-|x|))), and log(1 - sigmoid(x)) = log(sigmoid(-x)).',
          'pos_weight multiplies only the positive term: -(pos_weight * t * logsigmoid(x) + (1 - t) * logsigmoid(-x)).mean().',
      )),
    K("optim/sgd", 2, "11", "SGD with momentum and Nesterov",
      mistakes=("momentum_buffer_zero_init", "nesterov_wrong"),
      hints=(
          "Subclass torch.optim.Optimizer: pass the options as `defaults` to super().__init__ and it builds self.param_groups; step() loops over every group's params and skips those whose .grad is None.",
          'Inside step (under torch.no_grad): g = p.grad + weight_decay·p; with momentum keep a buffer b in self.state[p]: on the first step b = g.clone() (not zeros), afterwards b = momentum·b + (1 − dampening)·g.',
          'Then g = g + momentum·b if nesterov else b, and p.add_(g, alpha=-lr). Read lr and every option from the group at each step.',
      )),
    K("optim/adam", 2, "11", "Adam, AdamW, clipping and a cosine schedule",
      mistakes=("no_bias_correction", "adamw_l2", "eps_inside_sqrt"),
      hints=(
          'Same skeleton as SGD: an Optimizer subclass with defaults and per-parameter state (step t, m, v) in self.state[p], m and v starting at zeros; AdamW can subclass Adam and change only the weight-decay line.',
          'm = b1·m + (1−b1)·g, v = b2·v + (1−b2)·g²; correct both: m̂ = m/(1−b1^t), v̂ = v/(1−b2^t); p -= lr·m̂/(√v̂ + eps), with eps added after the square root.',
          'Adam adds weight_decay·p to g before the moments; AdamW does p.mul_(1 − lr·weight_decay) before the update and leaves g alone.',
          'clip_grad_norm_: list the grads once, total = norm(stack(per-tensor norms)), multiply each grad in place by min(max_norm/(total+1e-6), 1), return total. cosine_schedule: three branches (warmup, cosine, flat).',
      )),
    K("conv/conv2d", 2, "12", "conv2d by unfold and matmul",
      mistakes=("groups_ignored", "dilation_size_off_by_one"),
      hints=(
          'F.unfold(x, (kH, kW), dilation=..., padding=..., stride=...) gives every receptive field as a column, (N, C_in·kH·kW, L) with L = H_out·W_out; a conv is then one matmul with w viewed as (C_out, C_in·kH·kW).',
          'H_out = (H + 2·padding − dilation·(kH − 1) − 1) // stride + 1; reshape the (N, C_out, L) product to (N, C_out, H_out, W_out) and add b.view(1, C_out, 1, 1).',
          'groups: view the columns as (N, groups, C_in/groups·kH·kW, L) and w as (groups, C_out/groups, C_in/groups·kH·kW); their matmul broadcasts to (N, groups, C_out/groups, L). Conv2d: nn.Parameters weight/bias from U(±1/√fan_in), forward calls conv2d.',
      )),
    K("conv/pool", 2, "12", "Max and average pooling",
      mistakes=("padding_in_average", "stride_defaults_to_one"),
      hints=(
          'Pad, then cut out every window: x.unfold(2, kH, sH).unfold(3, kW, sW) gives (N, C, H_out, W_out, kH, kW); reduce over the last two dims. stride=None means stride = kernel_size.',
          "max_pool2d: pad with −inf (F.pad(x, (pW, pW, pH, pH), value=float('-inf'))) so padding never wins, then take amax over the window.",
          'avg_pool2d: zero-pad and sum each window, then divide by how many real pixels it holds; pool a tensor of ones the same way to get that count.',
      )),
    K("rnn/cells", 2, "13", "RNN, LSTM and GRU cells",
      mistakes=("gate_order_swapped", "reset_before_bias"),
      hints=(
          'The weights stack the gate blocks along the rows: compute both affine terms, then split the 4H (or 3H) columns with chunk.',
          "LSTM gates are in the order i, f, g, o: sigmoid on i, f, o and tanh on g; c' = f*c + i*g, h' = o*tanh(c').",
          "GRU: r and z take the sum of both affine terms; n = tanh(W_in x + b_in + r * (W_hn h + b_hn)), with b_hn inside the product; h' = (1 - z)*n + z*h.",
      )),
    K("rnn/layers", 2, "13", "A multi-layer LSTM",
      requires=("rnn/cells",), mistakes=("batch_first_ignored", "final_state_wrong_layer"),
      hints=(
          "Register weight_ih_l{k}, weight_hh_l{k}, bias_ih_l{k} and bias_hh_l{k} directly on the module, so that nn.LSTM's state_dict loads.",
          'Work time-major: transpose a batch_first input to (T, B, I) first and the output back at the end; h_n and c_n are never batch-first.',
          'Layers on the outside, time on the inside: layer k starts from (h_0[k], c_0[k]) and runs lstm_cell over all T steps; its stacked outputs feed layer k+1, and its last (h, c) become h_n[k] and c_n[k].',
      )),
    K("norms/layer_norm", 2, "14", "LayerNorm with a hand-written backward",
      mistakes=("unbiased_variance", "eps_outside_sqrt", "normalise_over_batch"),
      hints=(
          'Statistics per sample over the trailing dims only: the mean and the biased variance (correction=0), with eps inside the square root.',
          'In forward, save x_hat and rstd = 1/sqrt(var + eps); with weight, that is all backward needs.',
          'grad_x = rstd * (g - g.mean(-1) - x_hat * (g * x_hat).mean(-1)) with g = grad_y * weight; grad_weight = (grad_y * x_hat) and grad_bias = grad_y, each summed over the leading dims; for a tuple normalized_shape, flatten the trailing dims into one.',
      )),
    K("norms/batch_norm", 2, "14", "BatchNorm1d in train and eval",
      mistakes=("running_var_biased", "eval_uses_batch_stats", "momentum_reversed"),
      hints=(
          'Reduce over every dim except the channels: (0,) for (N, C), (0, 2) for (N, C, L); reshape the (C,) vectors so they broadcast.',
          "Train mode normalises with the batch's biased variance; eval mode (with tracked stats) uses running_mean and running_var and changes no state.",
          'Under torch.no_grad(): running = (1 - momentum)*running + momentum*batch_stat, using var * n/(n - 1) for running_var; then num_batches_tracked += 1.',
      )),
    K("norms/rms_norm", 2, "14", "RMSNorm, pre-norm and post-norm",
      mistakes=("mean_subtracted", "pre_norm_residual_inside"),
      hints=(
          'RMSNorm is LayerNorm without the centring and without the bias: no mean subtraction.',
          'weight = nn.Parameter(torch.ones(dim)); forward: x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * weight.',
          "pre_norm normalises only the sublayer's input: x + sublayer(norm(x)); post_norm normalises the sum: norm(x + sublayer(x)).",
      )),
    # ---------------------------------------------------------------- Phase 3
    K("attention/sdpa", 3, "15-16", "Scaled dot-product attention",
      mistakes=("scale_by_d", "softmax_over_queries", "causal_bottom_right", "bool_mask_inverted"),
      hints=(
          'The scores are q @ k^T, shape (..., L, S), times the scale; the weights are a softmax over the keys, the last dim.',
          'The scale defaults to 1 / sqrt(E). A bool mask means True = attend: scores.masked_fill(~mask, -inf). A float mask is added after scaling.',
          'is_causal is torch.ones(L, S, dtype=torch.bool).tril() (top-left). After the softmax, rows whose scores are all -inf are NaN: set their weights to 0.',
      )),
    K("attention/masks", 3, "17", "Causal, padding and sliding-window masks",
      requires=("attention/sdpa",), mistakes=("window_off_by_one", "full_scores"),
      hints=(
          'Build masks by comparing index grids: torch.arange(L)[:, None] against torch.arange(S)[None, :].',
          'Causal window: (j <= i) & (j > i - window); bidirectional: (i - j).abs() <= window; padding: torch.arange(S) < lengths[:, None].',
          'sliding_window_attention: loop over blocks of queries [s, e). Their keys are [max(0, s - window + 1), e) when causal, or [max(0, s - window), min(T, e + window)) when not. Mask, softmax and @ v per block, then torch.cat the blocks.',
      )),
    K("attention/alibi", 3, "17", "ALiBi and linear-bias attention",
      requires=("attention/sdpa",),
      mistakes=("slopes_non_power_of_two", "bias_sign", "absolute_position", "j_minus_i"),
      hints=(
          'Each head h adds -m_h * (i - j) to its scores; only the slopes m_h differ between heads.',
          'Slopes: 2 ** (-8 * i / n) for i = 1..n when n is a power of two; otherwise those of p = 2 ** floor(log2 n), then slopes(2p)[0::2][:n - p].',
          'bias = -slopes[:, None, None] * (arange(L)[:, None] - arange(S)[None, :]). Add it to q @ k^T / sqrt(D), plus -inf above the diagonal when causal. linear_bias_attention adds alpha * (arange(M)[:, None] - arange(N)[None, :]).',
      )),
    K("attention/multi_head", 3, "18", "Multi-head attention",
      requires=("attention/sdpa",),
      mistakes=("heads_wrong_axis", "weights_not_averaged", "scale_after_softmax"),
      hints=(
          "Project once with in_proj_weight's three row blocks (q, k, v); each head is then an ordinary attention over D = E // H channels.",
          'Split heads with x.view(B, T, H, D).transpose(1, 2); merge with .transpose(1, 2).reshape(B, T, E) before out_proj.',
          'scores = q @ k.transpose(-2, -1) / sqrt(D), BEFORE the softmax; bool masks mean True = hidden here: scores.masked_fill(mask, -inf); key_padding_mask as (B, 1, 1, S), a 3-D attn_mask as (B, H, L, S).',
          'weights = scores.softmax(-1); output = out_proj(merge(weights @ v)); return weights.mean(dim=1) (per head when average_attn_weights=False), None when need_weights=False.',
      )),
    K("positional/sinusoidal", 3, "19", "Sinusoidal positions",
      mistakes=("concatenated", "base_exponent"),
      hints=(
          'Each channel pair (2i, 2i+1) holds the sine and the cosine of one angle: the position times a frequency that shrinks geometrically with i.',
          'Make a (max_len, 1) column of positions and a row of frequencies 1 / 10000^(2i/d_model) for 2i = 0, 2, 4, ...; multiplying them broadcasts to every angle.',
          'angles = pos / 10000 ** (torch.arange(0, d_model, 2) / d_model); table[:, 0::2] = angles.sin(); table[:, 1::2] = angles[:, :d_model // 2].cos()',
      )),
    K("positional/rope", 3, "19", "Rotary position embeddings",
      mistakes=("conventions_mixed", "offset_ignored", "frequencies_over_head_dim"),
      hints=(
          'Rotating a pair (a, b) by an angle gives (a cos - b sin, b cos + a sin); RoPE turns pair i of the token at position m by m * theta_i.',
          'rope_cache is an outer product of the positions and theta = base ** (-torch.arange(0, head_dim, 2) / head_dim); apply_rope uses rows offset..offset+T-1 of it.',
          'The two conventions differ only in which channels form a pair: (x[..., :d/2], x[..., d/2:]) for rotate-half, (x[..., 0::2], x[..., 1::2]) for interleaved; put the result back together with cat, or stack(..., -1).flatten(-2).',
      )),
    K("transformer/block", 3, "20", "Encoder and decoder layers",
      requires=("attention/multi_head",), mistakes=("norm_placement", "ffn_residual_skipped"),
      hints=(
          'Each sublayer (self-attention, cross-attention, feed-forward) sits inside a residual connection and a LayerNorm; norm_first only moves the norm.',
          "Post-LN: x = norm(x + sublayer(x)). Pre-LN: x = x + sublayer(norm(x)). Keep linear1, linear2, norm1..norm3 as direct attributes so the keys match torch's.",
          "Decoder: x = norm1(x + sa(x)); x = norm2(x + ca(x)) with ca = multihead_attn(x, memory, memory, attn_mask=memory_mask, key_padding_mask=memory_key_padding_mask)[0]; x = norm3(x + ff(x)); pre-LN moves each norm onto the sublayer's input.",
      )),
    K("transformer/encoder_decoder", 3, "21", "The full Transformer and greedy decoding",
      requires=("transformer/block",),
      mistakes=("decoder_not_causal", "cross_attention_keys_from_decoder"),
      hints=(
          'The Transformer is your encoder layers then encoder.norm, and your decoder layers (every one reading the same memory) then decoder.norm.',
          "Give self.encoder and self.decoder a .layers nn.ModuleList and a .norm LayerNorm: the keys then match nn.Transformer's.",
          'greedy_decode: memory = model.encode(src, ...) once; ys = a bos column; repeat logits = model.decode(ys, memory, tgt_mask=torch.ones(T, T, dtype=torch.bool).triu(1), ...) and append logits[:, -1].argmax(-1).',
          'Keep a finished flag per row: write eos_id where it is set, set it when a row emits eos_id, stop when all rows are finished or ys has max_len columns.',
      )),
    K("transformer/gpt2", 3, "—", "GPT-2",
      mistakes=("untied_head", "positions_not_offset", "not_causal"),
      hints=(
          'GPT-2 is token + position embeddings, n_layer pre-LayerNorm blocks (causal self-attention, then an MLP, each added to the residual), a final LayerNorm, and a head that reuses the token-embedding matrix.',
          'The state_dict names set the structure: self.transformer = nn.ModuleDict(dict(wte=..., wpe=..., h=nn.ModuleList(...), ln_f=...)), each block with ln_1, attn.c_attn, attn.c_proj, ln_2, mlp.c_fc, mlp.c_proj; tie with self.lm_head.weight = self.transformer.wte.weight.',
          'Attention: q, k, v = c_attn(x).split(C, dim=-1), each .view(B, T, n_head, C // n_head).transpose(1, 2), causal softmax(q @ k^T / sqrt(hd)) @ v, transposed back to (B, T, C). generate: crop idx[:, -block_size:], take logits[:, -1], argmax at temperature 0, otherwise divide by temperature, mask everything below the k-th largest, torch.multinomial.',
      )),
    K("tokenization/bpe", 3, "—", "Byte-pair encoding",
      mistakes=("merges_across_pretokens", "nondeterministic_ties", "specials_split"),
      hints=(
          'Two halves: train_bpe learns merges from pair counts inside pre-tokens; encode replays them by rank inside each pre-token. Special tokens are cut out of the text before anything else.',
          'Training: regex.split the text at the escaped special tokens, regex.findall(pattern, piece) each piece, Counter the distinct pre-tokens; each step count adjacent pairs weighted by those counts, pick max by (count, vocab[a], vocab[b]), replace it left to right in every pre-token.',
          "encode: per pre-token, ids = list(piece.encode('utf-8')); while some adjacent pair is a merge, merge the one with the lowest index (new id 256 + i); allowed special tokens become 256 + len(merges) + k. decode: b''.join(vocab[i] for i in ids).decode('utf-8', errors='replace').",
          'Too slow? Keep a Counter of pairs and, for each pair, the set of pre-tokens holding it; after a merge, subtract the old pairs of just those pre-tokens and add their new ones.',
      )),
    # ---------------------------------------------------------------- Phase 4
    K("inference/kv_cache", 4, "22", "KV cache",
      mistakes=("recompute_prefix", "position_offset", "concat_cache"),
      hints=(
          "A decode step only needs the new token's query; the keys and values of earlier tokens never change, so keep them instead of recomputing them.",
          'KVCache: allocate two torch.zeros(B, H, max_len, D) buffers in __init__; update writes self.k[:, :, L:L+T] = k in place and returns the view self.k[:, :, :L+T]. SlidingWindowCache: position p lives in slot p % window; return the slots starting from the oldest.',
          'CachedSelfAttention: start = cache.length BEFORE update; rotate q and k at positions start..start+T-1; keys, values = cache.update(k, v); attend with mask = torch.ones(T, S, dtype=torch.bool).tril(diagonal=S - T) (F.scaled_dot_product_attention(q, keys, values, attn_mask=mask)).',
      )),
    K("inference/flash", 4, "22", "Flash attention (tiled, online softmax)",
      mistakes=("no_rescale", "causal_blocks_skipped"),
      hints=(
          "Softmax can be computed in one pass if you remember each row's largest score so far and correct what you already summed when it changes.",
          'Per tile of queries keep m (running max), l (running sum of exp(s - m)) and acc (running sum of exp(s - m) @ v); at the end the output is acc / l.',
          'For each key tile: m_new = max(m, s.amax(-1)); alpha = exp(m - m_new); l = alpha * l + exp(s - m_new).sum(-1); acc = alpha[..., None] * acc + exp(s - m_new) @ v_tile. Causal: loop over key tiles only up to min(S, i1) and mask cols > rows inside the tile that crosses the diagonal.',
      )),
    K("inference/gqa", 4, "23", "Grouped-query attention",
      mistakes=("repeat_not_interleave",),
      hints=(
          'Query heads come in Hkv groups of G = Hq // Hkv CONSECUTIVE heads; every head of group j reads kv head j, so head h reads kv head h // G.',
          'Make the G heads of a group extra query rows: q.reshape(B, Hkv, G * L, D) multiplies k (B, Hkv, S, D) as it is, in one batched matmul, with no copy of K or V.',
          'scores = q.reshape(B, Hkv, G*L, D) @ k.transpose(-2, -1) / sqrt(D); for is_causal view them as (B, Hkv, G, L, S) and masked_fill(~torch.ones(L, S, dtype=torch.bool).tril(), -inf); softmax(-1) @ v, reshape to (B, Hq, L, Dv). Module: view(B, T, heads, hd).transpose(1, 2), then merge back and o_proj.',
      )),
    K("inference/mqa", 4, "24", "Multi-query attention",
      requires=("inference/gqa",), mistakes=("keys_per_head",),
      hints=(
          'MQA is GQA with a single kv head: k_proj and v_proj produce head_dim channels, not d_model.',
          'MQACache: allocate k and v of (batch, 1, max_len, head_dim) once in __init__; update writes positions [length, length+T) in place and returns the [:length] slices.',
          'forward: q = q_proj(x).view(B, T, H, hd).transpose(1, 2); k = k_proj(x).unsqueeze(1), same for v; with a cache k, v = cache.update(k, v); grouped_query_attention(q, k, v, is_causal=T > 1), because a single decode token sees every key; merge the heads and apply o_proj.',
      )),
    K("inference/memory", 4, "25", "Memory and FLOP arithmetic, rooflines",
      mistakes=("multiply_add_one_flop", "no_v_in_cache"),
      hints=(
          'Count per token and per layer first, then multiply by batch, seq_len and n_layers; a multiply-add is 2 FLOPs.',
          'kv_cache_bytes: 2 (K and V) * kv_heads * head_dim elements per token and layer for mha/gqa/mqa, kv_lora_rank + qk_rope_head_dim for mla, times dtype_bytes. roofline_time is a max, not a sum.',
          "decode_step_cost: flops = sum of 2*rows*cols over the weight matrices (one token) + n_layers * n_heads * 2 * (2 * head_dim * context) + 2 * d_model * vocab; bytes = all those weight elements * dtype_bytes + kv_cache_bytes(1, context, n_layers, n_heads, head_dim, n_kv_heads, dtype_bytes, 'gqa').",
      )),
    # ---------------------------------------------------------------- Phase 5
    K("mla/latent", 5, "26", "Low-rank factors and the latent cache",
      mistakes=("cache_per_head", "rope_forgotten", "naive_decompressed_cache"),
      hints=(
          'Two separate ideas: the best low-rank approximation comes from the SVD, and MLA caches one small latent plus one rope key per token, both shared by every head.',
          'low_rank_factorize: U, S, Vh = torch.linalg.svd(W, full_matrices=False); keep the first `rank` of each and put S into the product (A = U_r * S_r, B = Vh_r). Per token: MHA 2*heads*head_dim, MLA kv_lora_rank + qk_rope_head_dim, decompressed heads*(nope+rope) + heads*v.',
          'mla_cache_bytes = num_hidden_layers * batch_size * seq_len * (kv_lora_rank + qk_rope_head_dim) * bytes_per_element, with no head count; cache_ratio = mha / mla (56.9 for DeepSeek-V2); popular_ratio = 2 * hidden_size / kv_lora_rank (28 for V3).',
      )),
    K("mla/components", 5, "27", "MLA components with DeepSeek's names",
      mistakes=("rope_on_compressed", "rope_key_per_head", "rotate_half", "norm_after_up",
                "q_lora_when_rank_zero"),
      hints=(
          "Each head's query and key are [nope | rope]: the nope parts go through the latents, only the rope parts get RoPE, and the key's rope part is ONE vector per token taken straight from the hidden state.",
          'rope_interleaved pairs channels (2i, 2i+1): a, b = x[..., 0::2], x[..., 1::2]; angle = position * theta**(-2i/d); torch.stack([a*cos - b*sin, b*cos + a*sin], -1).flatten(-2). The norms sit on the latents: q_a_layernorm(q_a_proj(x)), kv_a_layernorm(c_kv).',
          'queries: q = q_b_proj(q_a_layernorm(q_a_proj(x))) if config.q_lora_rank else q_proj(x); .view(B, T, H, nope+rope).transpose(1, 2).split([nope, rope], -1); rotate the rope part. latent: kv_a_proj_with_mqa(x).split([kv_lora_rank, rope], -1) -> (kv_a_layernorm(first), rope_interleaved(second)). expand_kv: kv_b_proj(c).view(B, S, H, nope+v).transpose(1, 2).split([nope, v], -1).',
      )),
    K("mla/attention", 5, "28", "Multi-head latent attention with an absorbed decode path",
      requires=("mla/components",),
      mistakes=("caches_full_kv", "scale_nope_only", "absorb_wrong_factor", "positions_restart"),
      hints=(
          'Get the naive path right first: queries, latent, cache.update, expand_kv, then ordinary causal attention with scores q_nope·k_nope + q_rope·k_rope (the one rope key broadcast over heads), scale 1/sqrt(nope + rope), then o_proj. The absorbed path must give the same numbers.',
          'RoPE positions are start_pos + arange(T); with a cache the keys are positions 0..start_pos+T-1 and query start_pos+t sees keys <= start_pos+t. The cache stores exactly what latent() returns.',
          "Absorbed: W = kv_b_proj.weight.view(H, nope + v, r); q_latent = einsum('bhtd,hdc->bhtc', q_nope, W[:, :nope]); scores = einsum('bhtc,bsc->bhts', q_latent, c_kv) + einsum('bhtd,bsd->bhts', q_rope, k_rope); o = einsum('bhtc,hvc->bhtv', einsum('bhts,bsc->bhtc', probs, c_kv), W[:, nope:]).",
      )),
    # ---------------------------------------------------------------- Phase 6
    K("deepseek/config", 6, "29", "DeepSeek config and parameter counts",
      mistakes=("routed_counted_active", "shared_forgotten"),
      hints=(
          'Write the model down block by block: embedding, each layer (attention, two RMSNorms, MLP or MoE), final norm, lm_head; a Linear has out*in parameters, an RMSNorm its size.',
          'An MoE layer: gate (E x H), E routed experts and ONE shared MLP of width n_shared_experts*moe_intermediate_size, each SwiGLU 3*H*width; layers i < first_k_dense_replace have the dense MLP instead.',
          'activated = total - embedding table - (n_routed_experts - num_experts_per_tok) * 3*H*moe_intermediate_size per MoE layer; the head, gates and shared experts stay; MTP and e_score_correction_bias never count.',
      )),
    K("deepseek/moe", 6, "30", "Mixture of experts: V2 and V3 routing",
      requires=("deepseek/config",),
      mistakes=("bias_in_weights", "renorm_v2", "topk_softmax", "dropped_groups_zero",
                "capacity_dropping", "residual_twice"),
      hints=(
          'Start with the Gate: logits in float32, scores = softmax (V2) or sigmoid (V3); the bias and the group limit only decide WHICH experts, never the weights.',
          'Group limit: view the choice as (N, n_group, E/n_group), score groups (max for V2, sum of top two for V3), masked_fill the other groups with -inf, topk; weights = scores.gather(1, idx), renormalise only if norm_topk_prob, then * routed_scaling_factor.',
          'MoE: order = topk_idx.flatten().argsort(); token = order // k; counts = bincount; per expert take its slice of rows, out.index_add_(0, rows, expert(x[rows]) * w); add shared_experts(x); no residual.',
          'load_balance_loss = alpha * (bincount(idx, minlength=E) * E/(K*T) * scores.mean(0)).sum(); update_bias = bias + gamma * sign(counts.mean() - counts).',
      )),
    K("deepseek/block", 6, "31", "The DeepSeek decoder layer",
      requires=("mla/attention", "deepseek/moe"), mistakes=("dense_switch_off_by_one",),
      hints=(
          "A DeepSeek layer is two pre-norm residual blocks, attention then a feed-forward network; which feed-forward network it gets depends on the layer's index.",
          'Normalise what goes INTO each sub-block and add its output to the un-normalised stream; hand cache and start_pos straight to self_attn. first_k_dense_replace counts the dense layers: layer i is dense when i < first_k_dense_replace.',
          'input_layernorm / post_attention_layernorm = RMSNorm(hidden_size, eps=config.rms_norm_eps); self_attn = MultiHeadLatentAttention(config); mlp = Expert(hidden_size, intermediate_size) if layer_idx < first_k_dense_replace else MoE(config); h = x + self_attn(input_layernorm(x), cache=cache, start_pos=start_pos); return h + mlp(post_attention_layernorm(h)).',
      )),
    K("deepseek/model", 6, "32", "The DeepSeek model and generation",
      requires=("deepseek/block",), mistakes=("cache_not_advanced", "positions_restart"),
      hints=(
          'Embed, run the layers in order, normalise, then an untied head. Generation fills the latent cache with the prompt once, then adds one token per step.',
          "make_cache: one MLACache per layer, in the weights' dtype and device; forward gives layer i cache[i] and the same start_pos. start_pos is always the number of tokens already cached: the prompt at 0, the first new token at T0, the next at T0 + 1.",
          'generate (under torch.no_grad()): cache = self.make_cache(B, T0 + n); logits = self(ids, cache, 0); for step in range(n): nxt = logits[:, -1].argmax(-1, keepdim=True); keep it; if step + 1 < n: logits = self(nxt, cache, T0 + step); return torch.cat([ids, *new], dim=1).',
      )),
    K("deepseek/grpo", 6, "32", "GRPO loss",
      mistakes=("std_over_batch", "no_equal_reward_guard", "kl_sign", "padding_counted",
                "old_not_detached"),
      hints=(
          "Two separate pieces: advantages come from each group's own rewards; the loss is a PPO-style clipped surrogate plus a KL term, averaged per sequence first, then over sequences.",
          "group_advantages: mean and std over the LAST dim only (torch.std's unbiased default), and (r - mean) / (std + eps) so an all-equal group gives 0. grpo_loss: detach logp_old and logp_ref; advantages[:, None] broadcasts one value over a sequence's tokens.",
          'rho = exp(logp - logp_old); surr = min(rho*A, rho.clamp(1-eps, 1+eps)*A); kl = exp(logp_ref - logp) - (logp_ref - logp) - 1; per_token = where(mask, surr - beta*kl, 0); loss = -(per_token.sum(-1) / mask.sum(-1)).mean().',
      )),
)
del K

BY_ID = {k.id: k for k in KATAS}


def close_matches(text: str, n: int = 3) -> list[str]:
    """Kata ids that look like `text` (a mistyped id, name or path)."""
    import difflib

    key = text.strip().removesuffix(".py").split("katas/")[-1]
    by_name = {k.name: k.id for k in KATAS}
    found = difflib.get_close_matches(key, list(BY_ID), n=n, cutoff=0.6)
    found += [by_name[m] for m in difflib.get_close_matches(key.split("/")[-1], list(by_name), n=n, cutoff=0.7)]
    found += [k.id for k in KATAS if key.split("/")[-1] and key.split("/")[-1] in k.id]
    return list(dict.fromkeys(found))[:n]


class UnknownKata(LookupError):
    """A kata name that matches no kata, or several."""


def find_kata(text: str) -> Kata:
    """A kata from 'topic/name', 'katas/topic/name.py' or a unique 'name'; UnknownKata names
    the close matches."""
    key = text.strip().removesuffix(".py")
    for prefix in ("katas/", "solutions/", "specs/", "./katas/"):
        key = key.removeprefix(prefix)
    if key in BY_ID:
        return BY_ID[key]
    matches = [k for k in KATAS if k.name == key or k.id.endswith("/" + key)]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise UnknownKata(f"{text!r} is ambiguous: {', '.join(k.id for k in matches)}")
    close = close_matches(key)
    hint = f"; did you mean {', '.join(close)}?" if close else "; `katas list` lists them"
    raise UnknownKata(f"no kata {text!r}{hint}")


def get(kata_id: str) -> Kata:
    """The kata called `kata_id` ("topic/name"); KeyError lists the close matches."""
    try:
        return BY_ID[kata_id]
    except KeyError:
        close = close_matches(kata_id)
        raise KeyError(f"no kata {kata_id!r}" + (f"; did you mean {', '.join(close)}?" if close else "")) from None


def built() -> list[Kata]:
    return [k for k in KATAS if not k.planned]


def for_spec(path: str | Path) -> Kata | None:
    """The kata whose spec suite is `path` (specs/topic/test_name.py), or None."""
    p = Path(path)
    if not p.name.startswith("test_"):
        return None
    return BY_ID.get(f"{p.parent.name}/{p.stem[len('test_'):]}")


README_START = "<!-- curriculum:start (generated by python -m harness.curriculum --readme) -->"
README_END = "<!-- curriculum:end -->"


def readme_table() -> str:
    """The README's curriculum section: one table row per phase, built or planned."""
    lines = ["| phase | days | topic | katas | status |", "|---|---|---|---|---|"]
    for phase, title in PHASES.items():
        katas = [k for k in KATAS if k.phase == phase]
        days = [k.day for k in katas if k.day[0].isdigit()]
        first, last = days[0].split("-")[0], days[-1].split("-")[-1]
        status = "planned" if all(k.planned for k in katas) else (
            "built" if not any(k.planned for k in katas) else
            f"{sum(not k.planned for k in katas)}/{len(katas)} built")
        names = ", ".join(f"`{k.id}`" for k in katas)
        lines.append(f"| {phase} | {first}–{last} | {title} | {names} | {status} |")
    return "\n".join([README_START, *lines, README_END])


def _rewrite_readme() -> None:
    readme = ROOT / "README.md"
    text = readme.read_text()
    start, end = text.index(README_START), text.index(README_END) + len(README_END)
    readme.write_text(text[:start] + readme_table() + text[end:])


if __name__ == "__main__":
    if sys.argv[1:] == ["--readme"]:
        _rewrite_readme()
    else:
        print(readme_table())
