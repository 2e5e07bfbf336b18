"""The curriculum manifest: every kata of the eight phases, in the order a learner takes them.

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
    7: "Kernels",
    8: "Scale-out",
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
          'Every function here is one or two torch calls; the work is choosing the call that gives the right shape, dtype and memory behaviour (a copy or shared memory).',
          "causal_mask is a lower triangle of True (j <= i, diagonal included); positions is one row 0..t-1 repeated over the batch; one_hot compares each index with every class; share_numpy wraps the array's memory.",
          'causal_mask: torch.ones(n, n, dtype=torch.bool).tril(). positions: torch.arange(t).expand(batch, t). one_hot: idx[..., None] == torch.arange(num_classes, device=idx.device). share_numpy: torch.from_numpy(a) (torch.tensor(a) copies).',
          "n = 0, batch = 0 or t = 0 give empty tensors of the right shape and dtype (bool, int64). causal_mask: a new tensor every call, any n (no slice of a cached mask). one_hot: num_classes wide, int64, on idx's device, 0-dim idx too. a[::-1] must raise ValueError.",
          'one_hot: return (idx[..., None] == torch.arange(num_classes, device=idx.device)).long(). share_numpy: return torch.from_numpy(a), which shares memory and already raises ValueError for negative strides.',
      )),
    K("tensors/indexing", 1, "1", "Indexing: gather, last token, masked mean",
      mistakes=("last_token_off_by_one", "mean_over_all_positions", "empty_mask_nan"),
      hints=(
          'Think in index tensors: one index tensor per dim you select along, broadcast against each other; a masked mean is a sum of the kept entries divided by how many were kept.',
          'gather_rows pairs each batch index b with its own K row indices; last_token pairs b with lengths[b] - 1; masked_mean zeroes the masked-out entries, sums over dim, and divides by the count of True along dim.',
          "gather_rows: x[torch.arange(B, device=x.device)[:, None], idx]. last_token: x[torch.arange(B, device=x.device), lengths - 1]. masked_mean: torch.where(mask, x, 0).sum(dim, dtype=acc) / mask.sum(dim), acc the accumulation dtype.",
          "Use torch.where, not x * mask: inf/NaN or huge masked-out values times 0 give NaN. An empty slice must give 0 with a NaN-free gradient: count.clamp_min(1). float16/bfloat16 sum in float32 (a half sum of 700 values near 100 overflows), then back to x's dtype.",
          "acc = torch.float32 for float16/bfloat16, else x.dtype; masked_mean: (torch.where(mask, x, 0).sum(dim, dtype=acc) / mask.sum(dim).clamp_min(1).to(acc)).to(x.dtype): the clamp turns an empty slice's 0/0 into 0/1 = 0. A sequence of n tokens ends at position n - 1.",
      )),
    K("tensors/reshaping", 1, "1", "Reshaping: heads, patches, squeeze",
      mistakes=("view_without_transpose", "merge_with_view", "squeeze_all"),
      hints=(
          "Draw the memory layout. The channel dim C of (B, T, C) is laid out as H blocks of D = C/H; splitting it must keep each head's D values together.",
          'split_heads: split C into (H, D), then move H in front of T. merge_heads: the exact inverse. patchify: split H and W into (grid, p) pairs, move the grid dims first and (C, p, p) last, then flatten each group. Only move values (view, reshape, permute), never compute them: inf and NaN stay put.',
          'split_heads: x.view(B, T, H, D).transpose(1, 2). merge_heads: x.transpose(1, 2).reshape(B, T, H * D). patchify: img.reshape(B, C, H//p, p, W//p, p).permute(0, 2, 4, 1, 3, 5) then reshape(B, N, C*p*p).',
          'After a transpose or permute .view fails: use reshape. B or T may be 0: spell every size out from x.shape, never -1 (it cannot be inferred from 0 elements). Keep dtype (int, bool, half) and device. squeeze_dim drops only `dim` (negative too), only when its size is exactly 1, not 0.',
          'squeeze_dim: return x.squeeze(dim) if x.shape[dim] == 1 else x; never plain x.squeeze(), which drops every size-1 dim. merge_heads: B, H, T, D = x.shape; return x.transpose(1, 2).reshape(B, T, H * D).',
      )),
    K("broadcasting/rules", 1, "2", "Broadcasting rules",
      mistakes=("left_aligned", "accepts_mismatch", "copies"),
      hints=(
          'Shapes are aligned from the right: pad the shorter shape with 1s on the left, then compare the sizes dim by dim.',
          "Two dims are compatible when they are equal or one of them is 1; the result takes the other. broadcast_to builds a view whose strides say how to walk x's memory for every position of the target shape.",
          'broadcast_to: new leading dims and grown size-1 dims get stride 0, the others keep x.stride(); build the strides and return x.as_strided(shape, strides, x.storage_offset()).',
          "Incompatible sizes raise ValueError naming both sizes (e.g. 'size 3 vs 4'); so does x with more dims than shape. No shapes give (), one shape its own tuple; sizes are plain ints. broadcast_shapes is plain Python: no tensors (meta too), no numpy. x may be non-contiguous, offset, stride 0, any dtype.",
          'broadcast_shapes: n = max(len(s)); pad each with (1,) * (n - len(s)); per dim keep the size that is not 1, raising ValueError on a clash. broadcast_to: strides = [0] * new dims + [0 if xs == 1 and ts != 1 else st ...].',
      )),
    K("broadcasting/products", 1, "2", "Dot and matmul from multiply and sum",
      mistakes=("vector_as_column", "no_batch_broadcast", "keeps_promoted_dim"),
      hints=(
          'matmul is a broadcast multiply followed by a sum over the contracted dim k; dot is the same with both vectors.',
          'Turn both arguments into at least 2-D: a 1-D left argument becomes a row (1, k), a right one a column (k, 1); multiply (..., n, k, 1) by (..., 1, k, m), sum over k, then remove exactly the dims you added.',
          'a.unsqueeze(-1) * b.unsqueeze(-3), then .sum(dim=-2); batch dims broadcast like any elementwise op. Vectors: a.unsqueeze(0) and b.unsqueeze(-1), and squeeze(-2) / squeeze(-1) the result afterwards.',
          "Check the two k's agree (and dot's 1-D-ness) before multiplying: broadcasting silently accepts 1 vs 3, so raise ValueError; 0-d arguments are errors too. k = 0 gives zeros, other 0 sizes empty results, in the inputs' dtype (float16 too) and device and attached to the graph (no fresh torch.zeros).",
          'dot: if a.dim() != 1 or b.dim() != 1 or a.shape != b.shape: raise ValueError; return (a * b).sum(). matmul: out = (a2.unsqueeze(-1) * b2.unsqueeze(-3)).sum(-2), then squeeze the dims added for 1-D arguments.',
      )),
    K("broadcasting/reductions", 1, "2", "Reductions: mean, max with indices, distances, normalize",
      mistakes=("keepdim_ignored", "wrong_sum_axis", "argmax_wrong_dim"),
      hints=(
          'A reduction collapses one dim into one number per slice; keep the dim (size 1) when the result must broadcast back against x.',
          'mean is sum / size along dim. max scans the slices along dim, keeping the best value so far and its position. Distances: every pair (i, j) of rows. normalize divides each vector by its clamped L2 norm over dim.',
          'mean: x.sum(dim, keepdim=keepdim) / x.shape[dim]. max: loop over x.select(dim, i) with torch.where(v > best, ...). pairwise: (a[:, None] - b[None]).pow(2).sum(-1). normalize: x.norm(dim=dim, keepdim=True).clamp_min(eps).',
          "max returns int64 indices and x's dtype values, same shape, dim removed unless keepdim (then unsqueeze(dim) both); min/sort/amax are off limits; return a tuple; other dims may be 0. pairwise keeps float16/bfloat16. normalize: a zero vector gives zeros, not NaN (clamp_min(eps)). Dims may be negative.",
          'max: best = x.select(dim, 0); idx = torch.zeros_like(best, dtype=torch.long); for i in 1..n-1: v = x.select(dim, i); better = v > best; best = torch.where(better, v, best); idx = torch.where(better, i, idx). normalize: x / x.norm(dim=dim, keepdim=True).clamp_min(eps).',
      )),
    K("autograd/basics", 1, "3", "Autograd: grad, jacobian, accumulation, no_grad",
      mistakes=("backward_twice", "grad_not_accumulated", "output_attached"),
      hints=(
          'A gradient can be taken without touching x.grad (a function of the graph), or accumulated into x.grad by backward; a Jacobian is one gradient per output element.',
          'grad_of: make a grad-requiring copy of x, run f with grad mode on, ask for dy/dx. jacobian: flatten f(x), take one gradient per output element, stack the rows and reshape. accumulated_grad: one f(x), several backwards. no_grad_eval: switch modes, run, switch back whatever happens.',
          'torch.autograd.grad(y, x) returns dy/dx without touching x.grad; .backward() adds into x.grad. Use x.detach().requires_grad_() as the input, torch.enable_grad() around f, retain_graph=True for repeated passes; torch.no_grad(), model.eval(), then model.train(was) in a finally.',
          "The caller may be inside torch.no_grad(): run f under torch.enable_grad() in all three gradient functions. x and x.grad stay untouched; results keep x's dtype (float16 too) and device; 0-d works; an empty x or f(x) gives a 0-element Jacobian. no_grad_eval restores the mode even if model(x) raises.",
          'jacobian: inside ONE torch.enable_grad() (indexing y is recorded too): y = f(xx); rows = [grad(y.reshape(-1)[i], xx, retain_graph=True)[0] for i ...]; no rows: xx.new_zeros(y.shape + x.shape). no_grad_eval: model.eval(); try: with torch.no_grad(): return model(x) finally: model.train(was).',
      )),
    K("autograd/rules", 1, "4", "Backward rules by hand, with broadcasting",
      mistakes=("no_unbroadcast", "sub_sign", "div_grad_sign"),
      hints=(
          "Each op's backward applies the chain rule locally: the upstream gradient times the op's derivative, for each of its inputs.",
          "Each backward returns one gradient per forward input, with exactly that input's shape (the specs call backward directly). With broadcasting, a gradient of the output's shape must be summed back to each input's shape.",
          "unbroadcast: sum over the leading dims broadcasting added (grad.sum(dim=tuple(range(extra)))), then over every dim that is 1 in the input's shape, with keepdim=True. Save inputs with ctx.save_for_backward: state lives on ctx, never on the class (one Function may appear twice in a graph).",
          'Every gradient goes through unbroadcast, 0-d inputs included (the result must be exactly that shape and dtype). MatMul transposes only the last two dims; its batch dims broadcast too. Tensor.sum_to_size is off limits in every backward. You may return None when ctx.needs_input_grad is False.',
          'Sub: (g, -g). Div: (g / b, -g * a / b**2). Pow: (g * b * a**(b - 1), g * a**b * log a). MatMul: (g @ b.transpose(-2, -1), a.transpose(-2, -1) @ g). Pass every one through unbroadcast(…, a.shape / b.shape).',
      )),
    K("autograd/engine", 1, "4", "A scalar autograd engine (micrograd-style)",
      mistakes=("assign_not_accumulate", "insertion_order"),
      hints=(
          'Each Value stores its data, grad, the Values it came from and a function that pushes its grad to them.',
          'Every operator builds a new Value whose backward function multiplies out.grad by the local derivative for each parent; backward() then runs those functions so that each node has all its gradient before pushing it on.',
          'Wrap plain numbers with Value(other) in __add__/__mul__ etc.; define __radd__, __rsub__, __rmul__, __rtruediv__ for 2 + v; write sub and div via the others or directly; math.exp/log/tanh for the methods.',
          "A node used twice (x * x, diamonds) gets gradient from both uses: +=. relu's derivative is 0 at 0. First-reached (BFS) order is wrong for diamonds. Leaves reused in a training loop: build the order afresh in each backward() (no mutable default list). Plain floats, no torch.",
          "backward(): build a topological order with a post-order DFS (visited set: visit parents, then append the node), set self.grad = 1.0 and call each node's local backward in reversed(order).",
      )),
    K("modules/mlp", 1, "5", "An MLP module and parameter counting",
      mistakes=("plain_list", "counts_tied_twice"),
      hints=(
          "A module is a tree of registered sub-modules and parameters; counting parameters means walking that tree once, and a Linear's count has a closed form.",
          'MLP holds two Linear layers as attributes fc1 and fc2 with a ReLU between them. count_parameters sums the element counts of every distinct parameter; mlp_param_count adds up weights and biases of both layers by formula.',
          'Sub-modules assigned as attributes (self.fc1 = nn.Linear(...)) are registered; a plain Python list is not. count_parameters: sum(p.numel() for p in module.parameters()). forward: self.fc2(F.relu(self.fc1(x))).',
          "parameters() yields a tied parameter once, frozen ones, a module's own and 0-d ones; state_dict() would also count buffers. numel() works on meta. Keep nn.Linear's init (not zeros, not randn, no seed). ReLU's derivative is 0 at 0 (clamp(min=0) is wrong). Any leading dims, 0 too.",
          'mlp_param_count: a Linear(a, b) has a*b weights and b biases, so d_in*d_hidden + d_hidden*d_out, plus d_hidden + d_out when bias is truthy (1 counts as True, 0 as False).',
      )),
    K("training/manual_mlp", 1, "6", "Forward and backward of an MLP by hand",
      mistakes=("relu_mask_wrong_tensor", "no_divide_by_n", "weight_grad_transposed"),
      hints=(
          'Backpropagation by hand: run the forward, keep what you need, then walk backwards applying the chain rule through each layer.',
          'Keep in the cache every tensor the backward needs: x, the pre-activation h (or a = relu(h)), and W2. Then go logits -> second Linear -> ReLU -> first Linear, one gradient per parameter.',
          'Forward: h = x @ W1.T + b1; a = torch.relu(h); logits = a @ W2.T + b2. Through a Linear: dW = dout.T @ input, db = dout.sum(0), dinput = dout @ W. cross_entropy_grad uses torch.softmax(logits, -1) and F.one_hot.',
          "Every gradient has its parameter's shape and dtype (dW2 is (C, H) like W2, not transposed). The ReLU passes gradient only where h > 0 (0 at exactly 0). The mean loss divides by N. N = 0 gives empty logits and all-zero gradients. No autograd; never modify the inputs.",
          'cross_entropy_grad: (softmax(logits) - one_hot(y, C)) / N. dW2 = dlogits.T @ a, db2 = dlogits.sum(0), da = dlogits @ W2; dh = da * (h > 0); dW1 = dh.T @ x, db1 = dh.sum(0).',
      )),
    K("training/loop", 1, "6", "A training loop: epochs, evaluation",
      mistakes=("no_zero_grad", "mean_of_batch_means", "eval_in_train_mode"),
      hints=(
          "Training repeats one step per batch; an epoch's loss is an average over samples, and evaluation measures without learning.",
          "train_epoch: for each batch do the step and add the batch's loss weighted by its size; divide by the total sample count. fit calls it epochs times. evaluate does the same sums without steps, in eval mode and without a graph.",
          'One step per batch: optimizer.zero_grad(), out = model(x), loss = loss_fn(out, y), loss.backward(), optimizer.step(); total += loss.item() * x.shape[0]. evaluate uses model.eval() and torch.no_grad().',
          'Weight by x.shape[0], not numel or tokens; a mean of batch means is wrong (short last batch). optimizer.zero_grad(), not model.zero_grad() (loss_fn may learn). loss.item() per batch, never a list of tensors. train_epoch: model.train() first; evaluate: with torch.no_grad(), mode restored.',
          'evaluate: was = model.training; model.eval(); with torch.no_grad(): sum loss.item() * len(x) over the loader; model.train(was); return total / n.',
      )),
    K("data/datasets", 1, "7", "Datasets and collate functions",
      mistakes=("one_window_too_many", "target_not_shifted", "mask_inverted"),
      hints=(
          'A language model learns to predict the next token: every window of T tokens is an input, the same window shifted by one its target. Batching variable-length sequences means padding them to a common length.',
          'With N tokens and block size T there are N - T windows: each needs T inputs and the T next tokens. pad_collate: find the longest length L, fill a (B, L) tensor with pad_id, copy each sequence into its row, and mark the real tokens.',
          'x = tokens[i : i + T].long(), y = tokens[i + 1 : i + T + 1].long(). pad_collate: torch.full((B, L), pad_id, dtype=torch.long), padded[b, :n] = seq; lengths = torch.tensor([len(s) for s in batch]); mask = torch.arange(L) < lengths[:, None].',
          'N <= T (N = 0 too) is a ValueError naming N and T + 1 ("got 4 tokens, need at least 5"). IndexError for i < 0 or i >= len. Ids of any integer dtype, kept so (convert only each item\'s window); items and padded are int64 (pad_id may not fit theirs). mask True on real tokens; pad on the right.',
          '__len__: return len(self.tokens) - self.T. __getitem__: if not 0 <= i < len(self): raise IndexError(i); return self.tokens[i:i + T].long(), self.tokens[i + 1:i + T + 1].long().',
      )),
    # ---------------------------------------------------------------- Phase 2
    K("layers/linear", 2, "8", "Linear layer and initialisation",
      mistakes=("fans_swapped", "weight_in_out"),
      hints=(
          'A Linear layer is one matrix product plus a bias; a good initialisation picks the spread of the random weights from how many inputs and outputs each unit connects to.',
          'Linear: register weight (out, in) and bias (out,), draw both uniformly, forward multiplies the last dim. Init functions: compute fan_in and fan_out from the shape, derive a bound or a std, fill the tensor in place and return it.',
          'nn.Parameter(torch.empty(out, in).uniform_(-k, k)) with k = 1/sqrt(in_features); forward: x @ self.weight.T + self.bias. Fill with tensor.uniform_(-a, a) or tensor.normal_(0, std) inside torch.no_grad().',
          "Leading dims may be none (x of shape (in,)); bias=False: no 'bias' key, layer.bias is None (register_parameter('bias', None)). fan_in = shape[1] * prod(kernel dims), fan_out = shape[0] * the same. Same tensor returned, dtype kept. Any other mode/nonlinearity (selu too): ValueError first.",
          'xavier_uniform_: a = gain * sqrt(6 / (fan_in + fan_out)); tensor.uniform_(-a, a). kaiming_normal_: gain = sqrt(2 / (1 + a**2)) for leaky_relu (sqrt(2) relu, 5/3 tanh, 1 linear/sigmoid); std = gain / sqrt(fan); tensor.normal_(0, std).',
      )),
    K("layers/embedding", 2, "8", "Embedding and dropout",
      mistakes=("dropout_scaled_in_eval", "dropout_unscaled_in_train"),
      hints=(
          'An embedding is a table lookup: each index picks one row of a learned matrix. Dropout randomly silences activations while training and rescales the rest so the expected value is unchanged.',
          'Embedding: a (num_embeddings, dim) N(0, 1) parameter, forward indexes it; the pad row starts at zero and must never get gradient. Dropout: draw a keep mask, zero the rest and rescale in training; do nothing in eval.',
          'weight[idx] already has shape idx.shape + (embedding_dim,) and its backward adds up repeated rows. Dropout: keep = torch.rand(x.shape, device=x.device) >= p; branch on self.training.',
          "padding_idx: zero its row at init (under no_grad) and stop its gradient, e.g. torch.where((idx == padding_idx)[..., None], out.detach(), out). Init from torch's global generator (no private seed). Helpers on the weight's device. Dropout p = 1 gives zeros, not NaN; 0-d and empty x work.",
          'Dropout.forward: if not self.training or self.p == 0: return x; if self.p == 1: return torch.zeros_like(x); keep = torch.rand_like(x) >= self.p; return x * keep / (1 - self.p).',
      )),
    K("activations/functions", 2, "9", "Activations with hand-written backward",
      mistakes=("sigmoid_overflow", "silu_missing_term", "gelu_tanh_constant"),
      hints=(
          "Each activation is a forward formula plus its derivative; writing the derivative through the forward's output usually makes it cheap and keeps it finite.",
          'Each Function saves what its backward needs on ctx (input or output) and returns one gradient per forward argument: grad_output times the local derivative for x, and None for negative_slope, approximate, beta and threshold.',
          'Use torch.exp, torch.erf, torch.where and ctx.save_for_backward; ReLU gradient (x > 0), LeakyReLU torch.where(x > 0, 1, slope); swiglu via your SiLU (or F.silu) and two matmuls x @ w.',
          "To stay finite at +-1e4, only exponentiate -|x|. LeakyReLU: torch.where(x > 0, x, slope * x), not max(x, slope * x) (slope < 0 or > 1). GELU takes only 'none'/'tanh' ('erf', None: ValueError). x's dtype and device; SwiGLU init ~1/sqrt(w.shape[0]) (x @ w), not randn.",
          "sigmoid' = s(1 - s), tanh' = 1 - t^2, SiLU' = s + x*s*(1 - s), GELU' = Phi(x) + x*phi(x) (tanh form: sqrt(2/pi), 0.044715). Softplus: x with gradient 1 where beta*x > threshold, else sigmoid(beta*x).",
      )),
    K("losses/softmax", 2, "10", "Stable softmax and log-softmax",
      mistakes=("no_max_subtraction", "wrong_dim", "no_keepdim"),
      hints=(
          'Softmax is unchanged when the same constant is added to every entry of a slice: use that to keep exp from overflowing.',
          "Shift each slice by its max, exponentiate, divide by the slice's sum; log_softmax is the shifted logits minus the log of that sum, never the log of a probability.",
          'Reduce over `dim` (not always the last one) with amax(dim, keepdim=True) and sum(dim, keepdim=True), so the result broadcasts back against x; Softmax.forward saves y with ctx.save_for_backward.',
          'Logits of +-1e4 stay finite; -inf entries get exactly 0 (no clamp or eps) as long as the slice has a finite entry. Any dim, negative too; empty other dims; a 0-d x gives 1; keep float64 in float64. Softmax.backward is the formula on the saved y: no autograd inside, grad_out never modified.',
          's = x - x.amax(dim, keepdim=True); softmax = s.exp() / s.exp().sum(dim, keepdim=True); log_softmax = s - s.exp().sum(dim, keepdim=True).log(). Softmax.backward: y * (g - (g * y).sum(ctx.dim, keepdim=True)), None.',
      )),
    K("losses/cross_entropy", 2, "10", "Cross-entropy with ignore_index and smoothing",
     
      mistakes=("mean_over_ignored", "smoothing_over_c_minus_1", "log_of_softmax"),
      hints=(
          'Cross-entropy is the negative log-probability the model gives the true class, averaged over the positions that count; label smoothing mixes in a little of every class.',
          "Flatten to (positions, C), compute log-probabilities in log space, pick each target's entry, combine with the all-class term for smoothing, zero the ignored positions, then reduce.",
          'log_p = your log_softmax(logits, -1); nll = -log_p.gather(-1, safe_target[..., None]).squeeze(-1), with ignored targets replaced by 0 before the gather (torch.where); valid = target != ignore_index.',
          "'mean' divides by valid.sum() (all ignored: NaN, 'sum' 0, logits' dtype); other names ('Sum', None) raise ValueError. ignore_index may lie outside [0, C). Helpers on logits' device. Never log(softmax): logits of +-1e4 must stay finite. The class dim is LAST. Smoothing spreads eps over all C classes.",
          'loss = (1 - eps) * nll + eps * (-log_p).mean(-1); loss = torch.where(valid, loss, 0). cross_entropy_backward: (softmax(logits) - one_hot(target, C)) / target.numel().',
      )),
    K("losses/regression", 2, "10", "MSE and binary cross-entropy",
      mistakes=("naive_log_sigmoid", "pos_weight_on_negatives"),
      hints=(
          'MSE averages squared errors; binary cross-entropy is the negative log-likelihood of a yes/no label, and on logits it must be computed without ever forming sigmoid(x) and then its log.',
          'MSE: square the difference, then reduce by mode. BCE on probabilities: two clamped logs weighted by target and 1 - target, averaged. BCE on logits: the same two terms written with log-sigmoid of x and of -x.',
          'mse: ((pred - target) ** 2).mean() / .sum() / as is. bce_loss: probs.log().clamp(min=-100) and (1 - probs).log().clamp(min=-100). bce_with_logits: F.logsigmoid (allowed) or a per-branch torch.where with log1p(exp(...)).',
          "Other reductions ('Sum', None): ValueError naming it. float64 pos_weight stays float64; helpers on the inputs' device. Clamp each log at -100 BEFORE multiplying by the target (0 * -inf = NaN). Logits of +-1e4 stay finite; the gradient at x = 0 must match torch's (the max/abs one-liner fails there).",
          'log(1 - sigmoid(x)) = logsigmoid(-x); pos_weight multiplies only the positive term: -(pos_weight * t * logsigmoid(x) + (1 - t) * logsigmoid(-x)).mean(), pos_weight None meaning 1.',
      )),
    K("optim/sgd", 2, "11", "SGD with momentum and Nesterov",
      mistakes=("momentum_buffer_zero_init", "nesterov_wrong"),
      hints=(
          'An optimiser walks each parameter against its gradient; momentum keeps a running velocity per parameter, and Nesterov looks one step ahead along it.',
          "Per step, per group, per parameter with a gradient: fold in weight decay, update the momentum buffer kept in the optimiser's state, choose the direction (buffer, or Nesterov look-ahead), and move the parameter by lr times it.",
          "Subclass torch.optim.Optimizer: super().__init__(params, defaults=dict(lr=..., ...)) builds self.param_groups; in step, under torch.no_grad(), read group['lr'] etc., keep b in self.state[p]['momentum_buffer'], update with p.add_(g, alpha=-lr).",
          "The first step's buffer is a copy of g (g.clone()), not zeros, so it is not damped. Never change p.grad in place (g = p.grad + wd * p is a new tensor). Skip p.grad None. Key state by p itself, not id(p) (checkpoints). Call a closure under torch.enable_grad() and return its value.",
          'b = g.clone() on the first step, else b.mul_(momentum).add_(g, alpha=1 - dampening); g = g + momentum * b if nesterov else b; p.add_(g, alpha=-lr).',
      )),
    K("optim/adam", 2, "11", "Adam, AdamW, clipping and a cosine schedule",
      mistakes=("no_bias_correction", "adamw_l2", "eps_inside_sqrt"),
      hints=(
          'Adam keeps running averages of the gradient and its square per parameter, corrects their start-up bias, and steps by their ratio; AdamW decays the weights directly instead of through the gradient.',
          'Same skeleton as SGD: an Optimizer subclass with defaults and per-parameter state (step t, m, v) in self.state[p]; each step: t += 1, weight decay, update m and v, bias-correct, move p. AdamW can subclass Adam and change one line.',
          'm = b1·m + (1−b1)·g, v = b2·v + (1−b2)·g²; m̂ = m/(1−b1^t), v̂ = v/(1−b2^t); p -= lr·m̂/(√v̂ + eps). State starts with torch.zeros_like(p); clip uses torch.linalg.vector_norm.',
          "eps goes after the sqrt. Adam adds weight_decay·p to g; AdamW does p.mul_(1 − lr·weight_decay). Leave p.grad untouched. State keyed by p (not id(p)), zeros_like(p): p's dtype and device. clip_grad_norm_: read a generator once, skip None grads (none: tensor(0.0)); inf norm is max |g|.",
          'clip: total = vector_norm(stack([vector_norm(g, norm_type) for g in grads]), norm_type); each g.mul_(min(max_norm / (total + 1e-6), 1)). cosine_schedule: three branches, step < warmup, step <= total, then min_lr.',
      )),
    K("training/checkpoint", 2, "11", "Checkpoints: resume exactly, write atomically",
      mistakes=("optimizer_state_not_saved", "rng_not_restored", "written_in_place"),
      hints=(
          'A resumed run repeats the lost one only if it gets back everything the next steps read: weights, optimizer state, the step, and every random generator. A save must never destroy the last good checkpoint.',
          'Save one dict (model, optimizer, step, rng, extra) with torch.save into a temporary file beside path, then rename it onto path. Load: read with weights_only=True, check the file, load model and optimizer, then restore the random states.',
          'state_dict() / load_state_dict() for model and optimizer; torch.get_rng_state, random.getstate, np.random.get_state (keys via torch.from_numpy); tempfile.mkstemp(dir=folder), f.flush(), os.fsync(f.fileno()), os.replace(tmp, path).',
          'On a failed save remove the temp file and re-raise. Wrap torch.load errors (not FileNotFoundError) in ValueError naming the path; list missing keys. A strict load_state_dict raises after copying what matched: clone the weights first and put them back. Restore RNGs last.',
          'save: payload = {...}; fd, tmp = mkstemp(dir=folder); try: with os.fdopen(fd, "wb") as f: torch.save(payload, f); f.flush(); os.fsync(f.fileno()); os.replace(tmp, path) except BaseException: os.remove(tmp); raise.',
      )),
    K("conv/conv2d", 2, "12", "conv2d by unfold and matmul",
      mistakes=("groups_ignored", "dilation_size_off_by_one"),
      hints=(
          'A convolution applies the same small weight patch at every position: gather every receptive field into a column, and the conv becomes one matrix product.',
          'Unfold x into (N, C_in·kH·kW, L) columns, multiply by the weight flattened to (C_out, C_in·kH·kW), reshape the L positions back to (H_out, W_out), add the bias. Groups split both channel axes into blocks that multiply separately.',
          'F.unfold(x, (kH, kW), dilation=..., padding=..., stride=...); w.view(C_out, -1) @ cols gives (N, C_out, L); .view(N, C_out, H_out, W_out) + b.view(1, C_out, 1, 1) only when b is not None (no zeros stand-in). Conv2d: nn.Parameter weight/bias, forward calls conv2d.',
          "stride, padding, dilation may be ints or pairs: normalise to pairs. H_out = (H + 2·padding − dilation·(kH − 1) − 1) // stride + 1. N = 0 must work; keep dtype and device; bias=False means no 'bias' key. Init U(±1/√fan_in), fan_in = C_in/groups·kH·kW.",
          'groups: view the columns as (N, groups, C_in/groups·kH·kW, L) and w as (groups, C_out/groups, C_in/groups·kH·kW); their matmul broadcasts to (N, groups, C_out/groups, L); reshape to (N, C_out, H_out, W_out).',
      )),
    K("conv/pool", 2, "12", "Max and average pooling",
      mistakes=("padding_in_average", "stride_defaults_to_one"),
      hints=(
          'Pooling summarises each window of an image by one number: the largest value, or the average of the real pixels it covers.',
          'Pad the image, cut out every kH×kW window at the given stride, reduce each window. For the average, also count how many real (unpadded) pixels each window holds and divide by that.',
          'Pad with F.pad(x, (pW, pW, pH, pH), value=...), then x.unfold(2, kH, sH).unfold(3, kW, sW) gives (N, C, H_out, W_out, kH, kW); reduce with amax or sum over the last two dims.',
          'stride=None means stride = kernel_size; ints or pairs. Max pads with -inf (not -1e9 or finfo.min). Real 0, NaN or inf pixels count: tell padding by position (ones), not by value. The average excludes padding. N = 0, float16/bfloat16/float64 keep their dtype; stay differentiable.',
          "max_pool2d: windows(F.pad(x, pads, value=float('-inf'))).amax((-2, -1)). avg_pool2d: total = windows(F.pad(x, pads)).sum((-2, -1)); count = the same on torch.ones_like(x); return total / count.",
      )),
    K("rnn/cells", 2, "13", "RNN, LSTM and GRU cells",
      mistakes=("gate_order_swapped", "reset_before_bias"),
      hints=(
          "A recurrent cell mixes this step's input with the previous state through gates: numbers between 0 and 1 that decide how much to keep, forget or write.",
          'Compute both affine terms, x W_ih^T + b_ih and h W_hh^T + b_hh, with all gate blocks stacked along the rows, then split the 4H (or 3H) columns into one block per gate.',
          'gi = x @ w_ih.T + b_ih (or F.linear), gh = h @ w_hh.T + b_hh; gates = (gi + gh).chunk(4, dim=1) for the LSTM; for the GRU chunk gi and gh separately into 3. Use torch.sigmoid and torch.tanh.',
          "Gate order is fixed by torch's layout: LSTM i, f, g, o; GRU r, z, n. Use torch.sigmoid/tanh (a hand-made exp overflows; gradients at ±100 must stay finite); keep the dtype (float64 throughout) and device; B = 0 and B = 1 must work. In the GRU, r multiplies b_hn too.",
          "LSTM: c' = f*c + i*g, h' = o*tanh(c'), with sigmoid on i, f, o and tanh on g. GRU: n = tanh(i_n + r * h_n) with h_n = W_hn h + b_hn; h' = (1 - z)*n + z*h.",
      )),
    K("rnn/layers", 2, "13", "A multi-layer LSTM",
      requires=("rnn/cells",), mistakes=("batch_first_ignored", "final_state_wrong_layer"),
      hints=(
          "A multi-layer LSTM runs one cell over time for the first layer, then feeds that layer's outputs as the input sequence of the next layer.",
          "Layers on the outside, time on the inside: layer k starts from its own initial state, steps over all T inputs, and its stacked outputs become layer k+1's inputs; its last (h, c) become h_n[k] and c_n[k].",
          "Register weight_ih_l{k}, weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k} directly on the module with setattr, so nn.LSTM's state_dict loads; init each with uniform_(-1/sqrt(H), 1/sqrt(H)); use lstm_cell and torch.stack.",
          "batch_first changes only x and output: transpose to (T, B, I) first and back at the end; h_n and c_n are always (num_layers, B, H). state None means zeros in x's dtype and device. B = 0 works (empty output and states), T >= 1. Never modify x or the state in place.",
          "for k: w = getattr(self, f'weight_ih_l{k}') ...; h, c = h0[k], c0[k]; outs = []; for t: h, c = lstm_cell(inp[t], (h, c), ...); outs.append(h); inp = torch.stack(outs); then output = inp, h_n = stack of last h's.",
      )),
    K("norms/layer_norm", 2, "14", "LayerNorm with a hand-written backward",
      mistakes=("unbiased_variance", "eps_outside_sqrt", "normalise_over_batch"),
      hints=(
          'LayerNorm rescales each sample by its own mean and spread over its trailing features, then applies a learned scale and shift.',
          'Forward: mean and biased variance over the last dim, x_hat = (x - mean) * rstd, then weight and bias. Backward: push grad_y through the affine part, then through the normalisation with the closed-form formula.',
          'x.mean(-1, keepdim=True), ((x - mean) ** 2).mean(-1, keepdim=True) (or var(correction=0)), torch.rsqrt(var + eps); ctx.save_for_backward(x_hat, rstd, weight); reduce grads over leading dims with reshape(-1, D).sum(0).',
          'Compute the variance from x - mean (x ~ 1000 + N(0, 1) must stay accurate); eps inside the sqrt, 0.0 allowed. Return None for a None weight/bias and for eps; use reshape, not view, on grad_y; leading dims may be 0 or absent.',
          'grad_x = rstd * (g - g.mean(-1, keepdim=True) - x_hat * (g * x_hat).mean(-1, keepdim=True)) with g = grad_y * weight; grad_weight, grad_bias = grad_y * x_hat, grad_y summed over leading dims. Module: reshape the normalised dims into one; pass self.eps and None for a left-out weight or bias.',
      )),
    K("norms/batch_norm", 2, "14", "BatchNorm1d in train and eval",
      mistakes=("running_var_biased", "eval_uses_batch_stats", "momentum_reversed"),
      hints=(
          'BatchNorm normalises each channel with statistics taken across the batch while training, and with running averages of them at evaluation.',
          'Reduce over every dim except the channels: (0,) for (N, C), (0, 2) for (N, C, L); reshape the (C,) vectors to broadcast. Training: normalise with the batch stats and update the running stats; eval: use the running stats.',
          'mean = x.mean(dims), var = ((x - mean)**2).mean(dims) (biased, from x - mean); register_buffer for running_mean, running_var, num_batches_tracked (torch.tensor(0, dtype=torch.long)); update them under torch.no_grad().',
          'n = 1 value per channel: ValueError before any state changes. n = 0: empty output, running stats untouched (no NaN), the step counted. momentum=0.0 and eps=0.0 used as given. Eval changes no state; untracked stats: eval uses batch stats. affine=False: no parameters.',
          'Under torch.no_grad(), if n > 0: running_mean.mul_(1 - m).add_(m * mean); running_var.mul_(1 - m).add_(m * var * n / (n - 1)); num_batches_tracked += 1 always. y = (x - mean) / sqrt(var + eps) * weight + bias.',
      )),
    K("norms/rms_norm", 2, "14", "RMSNorm, pre-norm and post-norm",
      mistakes=("mean_subtracted", "pre_norm_residual_inside"),
      hints=(
          'RMSNorm is LayerNorm without the centring and without the bias: each row is divided by its root mean square, then scaled.',
          'Per row: the mean of the squares over the last dim, plus eps, square-rooted; divide, multiply by a learned (dim,) weight. The two wirings differ only in where the norm sits relative to the residual addition.',
          'weight = nn.Parameter(torch.ones(dim)); forward with x.pow(2).mean(-1, keepdim=True) and torch.rsqrt; pre_norm and post_norm are one line each, calling sublayer and norm once.',
          'No mean subtraction: a constant row gives sign(c) * weight. eps inside the sqrt and used as given (0.0 too); a zero row with eps > 0 gives 0 with finite gradient. Call the sublayer exactly once per wiring (it may hold dropout).',
          'forward: x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight. pre_norm: x + sublayer(norm(x)); post_norm: norm(x + sublayer(x)).',
      )),
    # ---------------------------------------------------------------- Phase 3
    K("attention/sdpa", 3, "15-16", "Scaled dot-product attention",
      mistakes=("scale_by_d", "softmax_over_queries", "causal_bottom_right", "bool_mask_inverted"),
      hints=(
          'Attention is a weighted average of the values: each query scores every key by a scaled dot product, and a softmax over the keys turns the scores into weights.',
          'Scores q @ k^T of shape (..., L, S) times the scale; apply the mask or causal rule to the scores; softmax over the last dim (the keys); weights @ v gives (..., L, Ev).',
          "scores = (q @ k.transpose(-2, -1)) * scale, scale = 1 / math.sqrt(E) when None; bool mask: scores.masked_fill(~mask, float('-inf')); float mask: scores + mask; causal: torch.ones(L, S, dtype=torch.bool, device=q.device).tril().",
          "Only None means default scale (0.0 is a scale). A fully masked row (all False or all -inf, S = 0 too) gives zeros with a NaN-free gradient: fix such rows BEFORE the softmax. A hand-made softmax subtracts the max of the MASKED row (rows near -150). q's dtype; helpers on q's device.",
          "all_hidden = (scores == float('-inf')).all(-1, keepdim=True); scores = scores.masked_fill(all_hidden, 0); weights = scores.softmax(-1).masked_fill(all_hidden, 0); return weights @ v (empty sizes keep q's dtype and device).",
      )),
    K("attention/masks", 3, "17", "Causal, padding and sliding-window masks",
      requires=("attention/sdpa",), mistakes=("window_off_by_one", "full_scores"),
      hints=(
          'A mask is a boolean grid over (query, key) positions; each kind of mask is a simple comparison between a query index and a key index. Banded attention only needs the keys near each query.',
          'Build each mask by comparing an index column (queries i) with an index row (keys j). For banded attention, process blocks of queries and attend each block only to the slice of keys its window can reach.',
          'Index grids: torch.arange(L)[:, None] against torch.arange(S)[None, :]; causal (j <= i), causal window (j <= i) & (j > i - window), bidirectional (i - j).abs() <= window; padding torch.arange(S, device=lengths.device) < lengths[:, None].',
          "sliding_window_attention: no (T, T) tensor; memory and matmul FLOPs grow with T * window (fixed-size blocks, not T / 8; no all-keys-then-mask). T = 0 gives an empty (..., 0, Dv); L, S or B = 0 empty masks. Subtract the row max; q's dtype, helpers on q's device.",
          'Loop over query blocks [s, e) of max(window, 32) queries: keys [max(0, s - window + 1), e) when causal, or [max(0, s - window), min(T, e + window)) when not; mask with the local index grids, softmax, @ v per block, then torch.cat the blocks along dim -2; T = 0: q.new_zeros(..., 0, Dv).',
      )),
    K("attention/alibi", 3, "17", "ALiBi and linear-bias attention",
      requires=("attention/sdpa",),
      mistakes=("slopes_non_power_of_two", "bias_sign", "absolute_position", "j_minus_i"),
      hints=(
          'ALiBi adds no position embedding: each head penalises a score in proportion to how far the key is from the query, with a fixed slope per head.',
          'Compute the head slopes, build a (H, L, S) bias from slope times (i - j), add it to the scaled scores (plus a causal mask if asked), then softmax and multiply by v. The linear-bias form uses one alpha instead of per-head slopes.',
          'Slopes: 2 ** (-8 * i / n) for i = 1..n; distances: torch.arange(L)[:, None] - torch.arange(S)[None, :]; scores = q @ k.transpose(-2, -1) / math.sqrt(D) + bias; torch.softmax(scores, -1) @ v.',
          "Non-power-of-two heads: slopes of p = 2 ** floor(log2 n), then slopes(2p)[0::2][:n - p]. Give every arange/tensor dtype= and device= (q's for attention: float64 bias for float64 q), whatever the default dtype. Causal is top-left. B = 0, L = 0 or M = 0 give empty outputs in q's dtype.",
          'bias = -slopes[:, None, None] * (arange(L)[:, None] - arange(S)[None, :]); causal adds -inf where j > i. linear_bias_attention adds alpha * (arange(M)[:, None] - arange(N)[None, :]), no mask.',
      )),
    K("attention/multi_head", 3, "18", "Multi-head attention",
      requires=("attention/sdpa",),
      mistakes=("heads_wrong_axis", "weights_not_averaged", "scale_after_softmax"),
      hints=(
          'Multi-head attention runs several smaller attentions side by side, each on its own slice of the projected channels, and mixes their outputs with a final projection.',
          'Project q, k, v with the three row blocks of in_proj_weight; split each into H heads of D = E // H; per head softmax(q k^T / sqrt(D) + masks) @ v; merge the heads and apply out_proj.',
          "w_q, w_k, w_v = in_proj_weight.chunk(3) (F.linear with the matching bias chunks); split with x.view(B, T, H, D).transpose(1, 2); merge with .transpose(1, 2).reshape(B, L, E); register_parameter('in_proj_bias', None) without bias.",
          "Bool masks mean True = HIDDEN (masked_fill -inf); float masks are added. key_padding_mask -> (B, 1, 1, S), 3-D attn_mask (B*H, L, S) -> (B, H, L, S). Scale before the softmax. query may be key with another value: project all three. nn.MultiheadAttention's argument order. B, L = 0 work.",
          'weights = scores.softmax(-1); output = out_proj(merge(weights @ v)); return output, weights.mean(dim=1) (or per head when average_attn_weights=False), and None instead of weights when need_weights=False (a fast path must keep float64 and survive large scores). Empty outputs keep the dtype.',
      )),
    K("positional/sinusoidal", 3, "19", "Sinusoidal positions",
      mistakes=("concatenated", "base_exponent"),
      hints=(
          'Each channel pair (2i, 2i+1) holds the sine and the cosine of one angle: the position times a frequency that shrinks geometrically with i.',
          'Make a column of positions and a row of frequencies, one per pair; multiplying them broadcasts to every angle; write the sines into the even channels and the cosines into the odd ones.',
          'pos = torch.arange(max_len, dtype=torch.float64)[:, None]; freqs = 10000 ** (-torch.arange(0, d_model, 2, dtype=torch.float64) / d_model); angles = pos * freqs; fill table[:, 0::2] and table[:, 1::2].',
          "Interleaved, not all sines then all cosines. The exponent uses 2i, the even channel's index. Odd d_model: the last even channel is a sin with no cos, so take only d_model // 2 columns for the cos. Return float32 whatever the default dtype.",
          'table = torch.zeros(max_len, d_model, dtype=torch.float64); table[:, 0::2] = angles.sin(); table[:, 1::2] = angles[:, :d_model // 2].cos(); return table.float().',
      )),
    K("positional/rope", 3, "19", "Rotary position embeddings",
      mistakes=("conventions_mixed", "offset_ignored", "frequencies_over_head_dim"),
      hints=(
          'Rotating a pair (a, b) by an angle gives (a cos - b sin, b cos + a sin); RoPE turns pair i of the token at position m by m * theta_i, so dot products depend only on relative positions.',
          'rope_cache: an outer product of the positions and the per-pair frequencies, then cos and sin. apply_rope: pick the table rows for positions offset..offset+T-1, split x into its pairs, rotate them, put them back together.',
          'theta = base ** (-torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim); angles = torch.arange(max_len, dtype=torch.float32)[:, None] * theta; cos, sin = angles.cos(), angles.sin(); use cos[offset:offset + T].',
          "Cast the tables to x's dtype (no float32 detour for float64, float32 x stays float32). Any layout and T = 0 (float64 too) must work: use reshape/cat, not view. The offset matters when decoding. Helpers and output on x's device (no CPU buffer). Tables are float32 whatever the default dtype.",
          'Rotate-half pairs (x[..., :d/2], x[..., d/2:]) and joins with torch.cat([a*c - b*s, b*c + a*s], -1); interleaved pairs (x[..., 0::2], x[..., 1::2]) and joins with torch.stack([...], -1).flatten(-2).',
      )),
    K("transformer/block", 3, "20", "Encoder and decoder layers",
      requires=("attention/multi_head",), mistakes=("norm_placement", "ffn_residual_skipped"),
      hints=(
          'Each sublayer (self-attention, cross-attention, feed-forward) sits inside a residual connection and a LayerNorm; norm_first only moves the norm.',
          'Encoder: self-attention block then feed-forward block. Decoder: self-attention, cross-attention on memory (queries from the decoder, keys and values from memory), then feed-forward. Each block: sublayer, dropout, residual add, norm.',
          "Keep self_attn, multihead_attn (your MultiHeadAttention), linear1, linear2, norm1..norm3 (nn.LayerNorm) and dropouts as direct attributes so the keys match torch's; sa(x) = self.self_attn(x, x, x, attn_mask=..., key_padding_mask=...)[0].",
          'Masks use True = hidden. With is_causal/tgt_is_causal and no attn mask (a key padding mask or not), build torch.ones(T, T, dtype=torch.bool, device=x.device).triu(1) yourself; a given mask is used as is. Dropout only in train(); memory itself is never normalised.',
          'Post-LN decoder: x = norm1(x + dropout1(sa(x))); x = norm2(x + dropout2(ca(x))); x = norm3(x + dropout3(ff(x))). Pre-LN: x = x + sa(norm1(x)); x = x + ca(norm2(x)); x = x + ff(norm3(x)). ff = linear2(dropout(activation(linear1(x)))).',
      )),
    K("transformer/encoder_decoder", 3, "21", "The full Transformer and greedy decoding",
      requires=("transformer/block",),
      mistakes=("decoder_not_causal", "cross_attention_keys_from_decoder"),
      hints=(
          'The Transformer is your encoder layers then a final norm, and your decoder layers (every one reading the same memory) then a final norm; greedy decoding grows the target one argmax token at a time.',
          'encode runs src through every encoder layer and encoder.norm; decode runs tgt through every decoder layer with the same memory and decoder.norm. greedy_decode encodes once, then repeatedly decodes the whole prefix and appends a token.',
          "Give self.encoder and self.decoder (nn.Module()) a .layers nn.ModuleList and a .norm nn.LayerNorm: the keys then match nn.Transformer's. Causal mask: torch.ones(T, T, dtype=torch.bool, device=src.device).triu(1).",
          'greedy_decode runs under @torch.no_grad() and never calls eval()/train(). Bos in column 0 does not finish a row; eos is included; finished rows get eos afterwards. Stop when all rows finished or max_len columns (bos included). Both norms always apply, with no dropout after them.',
          'memory = model.encode(src, ...); ys = torch.full((B, 1), bos_id, dtype=torch.long, device=src.device); loop: logits = model.decode(ys, memory, tgt_mask=causal, memory_key_padding_mask=...); nxt = where(done, eos_id, logits[:, -1].argmax(-1)); append; done |= nxt == eos_id; break once done.all().',
      )),
    K("transformer/gpt2", 3, "—", "GPT-2",
      mistakes=("untied_head", "positions_not_offset", "not_causal"),
      hints=(
          'GPT-2 is token + position embeddings, n_layer pre-LayerNorm blocks (causal self-attention, then an MLP, each added to the residual), a final LayerNorm, and a head that reuses the token-embedding matrix.',
          "forward: embed tokens and positions, run the blocks, ln_f, lm_head. generate: repeat forward on the cropped context, take the last position's logits, pick the next token (greedy or sampled), append it.",
          "self.transformer = nn.ModuleDict(dict(wte=..., wpe=..., h=nn.ModuleList(...), ln_f=...)); blocks hold ln_1, attn.c_attn, attn.c_proj, ln_2, mlp.c_fc, mlp.c_proj; GELU approximate='tanh'; tie with self.lm_head.weight = self.transformer.wte.weight.",
          "T > block_size raises ValueError naming both. Dropout after the embeddings, on the weights after the softmax, before each residual add. Positions and mask on idx's device. generate: crop to block_size, @torch.no_grad(), never switch train/eval (not even while it runs); 0 new tokens returns idx.",
          'Attention: q, k, v = c_attn(x).split(C, -1), each .view(B, T, nh, hd).transpose(1, 2); causal softmax(q @ k^T / sqrt(hd)) @ v. generate: temperature 0 argmax; else logits / temperature, -inf below the top_k-th largest, torch.multinomial.',
      )),
    K("tokenization/bpe", 3, "—", "Byte-pair encoding",
      mistakes=("merges_across_pretokens", "nondeterministic_ties", "specials_split",
                "pretoken_cut_at_chunk_boundary"),
      hints=(
          'Two halves: train_bpe learns merges from pair counts inside pre-tokens; encode replays them by rank inside each pre-token. Special tokens are cut out first. encode_iterable is encode on a stream: emit only what later text can no longer change.',
          "Training: a Path is a file (its bytes as UTF-8). Cut at the special tokens, split each piece with the regex, count distinct pre-tokens; each step, count pairs weighted by those counts and merge the best one everywhere. Streaming: keep a pending str that each chunk extends.",
          "regex.split on '|'.join(map(regex.escape, specials)) in a capturing group; regex.findall(pattern, piece); collections.Counter of tuples of byte ids; pick max by (count, vocab[a], vocab[b]); new id 256 + i; specials then get 256 + len(merges) + j in their given order (no set).",
          "Ties: (vocab[a], vocab[b]) bytes, not ids. Merge left to right (a a a -> aa a). vocab_size too small: ValueError. Read generators once. Disallowed specials are plain text; unknown allowed_special strings ignored; decode: errors='replace'. Too slow? Per pair, keep the pre-tokens holding it.",
          "encode a pre-token: merge its lowest-ranked adjacent pair until none is in the ranks. encode_iterable: after each chunk, encode the pending pre-tokens as found (not re-split), all but the last two (GPT-2: \"we'r\" is we ' r); hold an end that starts an allowed special; finally encode the rest.",
      )),
    # ---------------------------------------------------------------- Phase 4
    K("inference/kv_cache", 4, "22", "KV cache",
      mistakes=("recompute_prefix", "position_offset", "concat_cache"),
      hints=(
          "A decode step only needs the new token's query; the keys and values of earlier tokens never change, so keep them instead of recomputing them.",
          'KVCache: preallocate key and value buffers of max_len positions, write new positions after the stored ones, return the filled prefix. CachedSelfAttention: project the new tokens, rotate q and k at their true positions, update the cache, attend.',
          'torch.zeros(B, H, max_len, D, dtype=dtype, device=device) in __init__; update writes self.k[:, :, L:L+T] = k in place and returns the view self.k[:, :, :L+T]. SlidingWindowCache: position p lives in slot p % window.',
          "Validate before writing: ValueError (cache unchanged) if L + T > max_len or k/v is not (batch, n_heads, T, head_dim) (a batch of 1 would broadcast). Never torch.cat onto the cache. Float64 RoPE angles in float64; mask and RoPE tables on x's device. The mask is bottom-right aligned.",
          'forward: start = cache.length BEFORE update; rotate q, k at positions start..start+T-1; keys, values = cache.update(k, v); mask = torch.ones(T, S, dtype=torch.bool, device=x.device).tril(diagonal=S - T); F.scaled_dot_product_attention(q, keys, values, attn_mask=mask).',
      )),
    K("inference/flash", 4, "22", "Flash attention (tiled, online softmax)",
      mistakes=("no_rescale", "causal_blocks_skipped"),
      hints=(
          "Softmax can be computed in one pass if you remember each row's largest score so far and correct what you already summed when it changes.",
          'Per tile of queries keep m (running max), l (running sum of exp(s - m)) and acc (running sum of exp(s - m) @ v); loop over key tiles, update the three, and at the end the output is acc / l.',
          'Two loops of range(0, L, block_size) and range(0, S, block_size); s = q_tile @ k_tile.transpose(-2, -1) / math.sqrt(D); s.amax(-1); torch.exp; torch.maximum for the new max; write out[..., i0:i1, :] = acc / l[..., None].',
          'Start m at -inf, not 0 (rows near -150 would give 0/0). Ragged last tiles; block_size may exceed L or S. Never allocate an (L, S) tensor. Causal (top-left): skip tiles wholly above the diagonal, mask j > i inside the diagonal tile. L = 0 gives empty output. m, l, acc and out on q.device.',
          'm_new = torch.maximum(m, s.amax(-1)); alpha = exp(m - m_new); p = exp(s - m_new[..., None]); l = alpha * l + p.sum(-1); acc = alpha[..., None] * acc + p @ v_tile; m = m_new. Causal: key tiles only up to min(S, i1).',
      )),
    K("inference/gqa", 4, "23", "Grouped-query attention",
      mistakes=("repeat_not_interleave",),
      hints=(
          'Query heads come in Hkv groups of G = Hq // Hkv CONSECUTIVE heads; every head of group j reads kv head j, so head h reads kv head h // G.',
          'Make the G heads of a group extra query rows: q (B, Hq, L, D) becomes (B, Hkv, G * L, D), which multiplies k (B, Hkv, S, D) as it is, in one batched matmul, with no copy of K or V; reshape the output back to (B, Hq, L, Dv).',
          'qg = q.reshape(B, Hkv, G * L, D); scores = qg @ k.transpose(-2, -1) / math.sqrt(D); weights = scores.softmax(-1); out = (weights @ v).reshape(B, Hq, L, Dv). Module: view(B, T, heads, hd).transpose(1, 2) per projection.',
          'Raise ValueError before any work if Hq % Hkv != 0 (Hq < Hkv too). Never expand/repeat K or V to Hq heads (and no size-1 broadcast matmul). Inputs may be non-contiguous: reshape, not view. Causal is top-left; mask on q.device.',
          'Causal: view the scores as (B, Hkv, G, L, S) and masked_fill(~torch.ones(L, S, dtype=torch.bool, device=q.device).tril(), -inf), then back to (B, Hkv, G*L, S). Module: merge with transpose(1, 2).reshape(B, T, -1), then o_proj.',
      )),
    K("inference/mqa", 4, "24", "Multi-query attention",
      requires=("inference/gqa",), mistakes=("keys_per_head",),
      hints=(
          'MQA is GQA with a single kv head: every query head shares one key head and one value head, so the cache is n_heads times smaller.',
          'MQACache: preallocate keys and values for max_len positions of the one kv head; update writes the new positions and returns the filled prefix. forward: project q into heads, k and v into one head, update the cache, attend causally, merge.',
          'k_proj and v_proj are nn.Linear(d_model, head_dim, bias=False); k = k_proj(x).unsqueeze(1) gives (B, 1, T, hd); attend with grouped_query_attention(q, k, v, is_causal=...) from katas.inference.gqa.',
          'The cache holds nothing else of that size (no torch.cat growth). ValueError, cache unchanged, if length + T > max_len or k/v is not (batch, 1, T, head_dim). A single decode token sees every key: is_causal=True on T = 1 would hide all but the first.',
          'forward: q = q_proj(x).view(B, T, H, hd).transpose(1, 2); k, v = cache.update(k, v) when cached; out = grouped_query_attention(q, k, v, is_causal=T > 1); o_proj(out.transpose(1, 2).reshape(B, T, d_model)).',
      )),
    K("inference/memory", 4, "25", "Memory and FLOP arithmetic, rooflines",
      mistakes=("multiply_add_one_flop", "no_v_in_cache"),
      hints=(
          'Back-of-the-envelope serving arithmetic: count elements, multiply by bytes; count multiply-adds, double them; then the slower of compute and memory traffic sets the time.',
          "Count per token and per layer first, then multiply by batch, seq_len and n_layers. For a decode step, add up the weight matrices' FLOPs and bytes, the attention over the context, and the cache read.",
          'kv_cache_bytes: 2 (K and V) * heads * head_dim elements per token and layer (heads = n_heads, n_kv_heads or 1), or kv_lora_rank + qk_rope_head_dim for mla; matmul_flops = 2 * m * n * k; roofline_time = max(flops / peak, bytes / bw).',
          'Exact ints: integer arithmetic only, no division on the way. ValueError naming the problem for an unknown kind (case and spaces matter), gqa without n_kv_heads, mla with either size None (only None is missing: qk_rope_head_dim=0 is a size). arithmetic_intensity and roofline_time return floats.',
          'decode_step_cost: flops = n_layers * (sum of 2*rows*cols over W_q, W_k, W_v, W_o, W_up, W_down + n_heads * 2 * (2 * head_dim * context)) + 2 * d_model * vocab; bytes = all weight elements * dtype_bytes + the gqa cache of context positions.',
      )),
    # ---------------------------------------------------------------- Phase 5
    K("mla/latent", 5, "26", "Low-rank factors and the latent cache",
      mistakes=("cache_per_head", "rope_forgotten", "naive_decompressed_cache"),
      hints=(
          'Two separate ideas: the best low-rank approximation comes from the SVD, and MLA caches one small latent plus one rope key per token, both shared by every head.',
          'low_rank_factorize: decompose W, keep the rank largest singular values and their vectors, fold the singular values into one factor. The cache functions are per-token element counts, then a multiplication by layers, batch, length and bytes.',
          'U, S, Vh = torch.linalg.svd(W, full_matrices=False); A = U[..., :rank] * S[..., None, :rank]; B = Vh[..., :rank, :]. Works for batch dims as is.',
          "rank outside 1..min(m, n) raises ValueError; keep W's dtype and never modify W. MLA's cache has no head count; the decompressed cache (per-head keys and values) is larger than MHA's. cache_ratio and popular_ratio return floats. V3's num_nextn_predict_layers (the MTP module) adds no layer.",
          'mla_cache_bytes = num_hidden_layers * batch_size * seq_len * (kv_lora_rank + qk_rope_head_dim) * bytes_per_element; cache_ratio = mha / mla (56.9 for DeepSeek-V2); popular_ratio = 2 * hidden_size / kv_lora_rank (28 for V3).',
      )),
    K("mla/components", 5, "27", "MLA components with DeepSeek's names",
      mistakes=("rope_on_compressed", "rope_key_per_head", "rotate_half", "norm_after_up",
                "q_lora_when_rank_zero"),
      hints=(
          "Each head's query and key are [nope | rope]: the nope parts go through the latents, only the rope parts get RoPE, and the key's rope part is ONE vector per token taken straight from the hidden state.",
          'queries: compress (optional), normalise, up-project, split per head into nope and rope, rotate the rope part. latent: one projection split into the latent (normalised) and the shared rope key (rotated). expand_kv: up-project the latent per head.',
          'rope_interleaved pairs channels (2i, 2i+1): a, b = x[..., 0::2], x[..., 1::2]; angle = positions[..., None] * theta ** (-torch.arange(0, d, 2, dtype=x.dtype, device=x.device) / d); torch.stack([a*cos - b*sin, b*cos + a*sin], -1).flatten(-2).',
          "Interleaved, not rotate-half; RoPE tables and RMSNorm in x's dtype (float64 stays float64, no float32 upcast). With q_lora_rank 0 or None build only q_proj, no empty q_a_*. The norms sit on the latents (before kv_b_proj), with config.rms_norm_eps; all Linears without bias.",
          'q = q_b_proj(q_a_layernorm(q_a_proj(x))) or q_proj(x); .view(B, T, H, nope+rope).transpose(1, 2).split([nope, rope], -1). latent: kv_a_proj_with_mqa(x).split([r, rope], -1). expand_kv: kv_b_proj(c).view(B, S, H, nope+v).transpose(1, 2).split([nope, v], -1).',
      )),
    K("mla/attention", 5, "28", "Multi-head latent attention with an absorbed decode path",
      requires=("mla/components",),
      mistakes=("caches_full_kv", "scale_nope_only", "absorb_wrong_factor", "positions_restart"),
      hints=(
          'Get the naive path right first: scores are q_nope·k_nope + q_rope·k_rope with one rope key shared by every head; the absorbed path folds the key up-projection into the query and must give the same numbers.',
          'Naive: queries, latent, cache.update, expand_kv, then causal attention and o_proj. Absorbed: project q_nope into latent space, score against the cached latents directly, mix the latents with the probabilities, then up-project to values.',
          "W = kv_b_proj.weight.view(H, nope + v, r); torch.einsum does each step: q_latent = einsum('bhtd,hdc->bhtc', q_nope, W[:, :nope]); scores also get einsum('bhtd,bsd->bhts', q_rope, k_rope); scale 1/sqrt(nope + rope).",
          'RoPE positions are start_pos + arange(T); with a cache query start_pos+t sees keys <= start_pos+t (bottom-right mask over S = start_pos + T). The cache stores exactly what latent() returns; MLACache.update raises ValueError past max_len or batch_size.',
          "Absorbed: scores = (einsum('bhtc,bsc->bhts', q_latent, c_kv) + einsum('bhtd,bsd->bhts', q_rope, k_rope)) * scale; o = einsum('bhtc,hvc->bhtv', einsum('bhts,bsc->bhtc', probs, c_kv), W[:, nope:]); merge heads, o_proj.",
      )),
    # ---------------------------------------------------------------- Phase 6
    K("deepseek/config", 6, "29", "DeepSeek config and parameter counts",
      mistakes=("routed_counted_active", "shared_forgotten"),
      hints=(
          'Write the model down block by block: embedding, each layer (attention, two RMSNorms, MLP or MoE), final norm, lm_head; a Linear has out*in parameters, an RMSNorm its size.',
          "Sum the attention's projections and norms once per layer; add a dense MLP for the first first_k_dense_replace layers and an MoE for the rest; then embedding, final norm and head. Activated: subtract what one token does not use.",
          'Plain Python ints only: no module, no tensor. d_qk = nope + rope; q_proj (n*d_qk*H) or q_a_proj + q_a_layernorm + q_b_proj; a SwiGLU of width w has 3*H*w; a gate E*H.',
          'q_lora_rank None or 0 means q_proj. The shared experts are ONE MLP of width n_shared_experts*moe_intermediate_size (none when 0). A tied head counts once. MTP layers and e_score_correction_bias never count.',
          'activated = total - embedding table - (n_routed_experts - num_experts_per_tok) * 3*H*moe_intermediate_size per MoE layer; the head, gates and shared experts stay.',
      )),
    K("deepseek/moe", 6, "30", "Mixture of experts: V2 and V3 routing",
      requires=("deepseek/config",),
      mistakes=("bias_in_weights", "renorm_v2", "topk_softmax", "dropped_groups_zero",
                "capacity_dropping", "residual_twice"),
      hints=(
          "A router scores every token against every expert and sends it to the k best; the token's output is the weighted sum of those experts plus the always-on shared experts.",
          'Gate: float32 logits, scores (softmax for V2, sigmoid for V3), a biased choice, a group limit, top-k, weights from the unbiased scores. MoE: group the (token, expert) pairs by expert, run each expert once on its rows, add back.',
          'logits = x.float() @ weight.float().T; choice.view(N, n_group, E // n_group); group scores with amax(-1) or topk(2).values.sum(-1); torch.topk; scores.gather(1, idx); argsort, bincount, index_add_.',
          'Each switch reads its own field (scoring_func, topk_method, norm_topk_prob): configs mix V2/V3; greedy has no groups. Bias and group limit only choose; dropped groups get -inf, not 0. N = 0 gives (0, k). alpha=0.0, gamma=0.0 as given (still a new bias tensor). Keep dtypes. No residual.',
          "MoE: order = topk_idx.flatten().argsort(); token = order // k; per expert: out.index_add_(0, rows, expert(x[rows]).float() * w[:, None]), out float32 zeros on x's device; out.to(x.dtype) + shared. loss = alpha * (bincount(idx, minlength=E).to(scores.dtype) * E/(K*T) * scores.mean(0)).sum().",
      )),
    K("deepseek/block", 6, "31", "The DeepSeek decoder layer",
      requires=("mla/attention", "deepseek/moe"), mistakes=("dense_switch_off_by_one",),
      hints=(
          "A DeepSeek layer is two pre-norm residual blocks, attention then a feed-forward network; which feed-forward network it gets depends on the layer's index.",
          'Normalise what goes INTO each sub-block and add its output to the un-normalised stream; the first layers get a dense MLP, the others a mixture of experts.',
          'input_layernorm / post_attention_layernorm = RMSNorm(hidden_size, eps=config.rms_norm_eps); self_attn = MultiHeadLatentAttention(config); mlp = Expert(hidden_size, intermediate_size) or MoE(config).',
          'first_k_dense_replace counts the dense layers: layer i is dense when i < first_k_dense_replace (0 makes every layer MoE). Hand cache and start_pos straight to self_attn; nothing normalises the sum; keep the pinned submodule names.',
          'h = x + self.self_attn(self.input_layernorm(x), cache=cache, start_pos=start_pos); return h + self.mlp(self.post_attention_layernorm(h)).',
      )),
    K("deepseek/model", 6, "32", "The DeepSeek model and generation",
      requires=("deepseek/block",), mistakes=("cache_not_advanced", "positions_restart"),
      hints=(
          'Embed, run the layers in order, normalise, then an untied head. Generation fills the latent cache with the prompt once, then adds one token per step.',
          'DeepSeekModel: embed_tokens, a ModuleList of DecoderLayer(config, i), norm (eps=config.rms_norm_eps). The causal-LM wrapper adds lm_head. generate: make a cache, prefill the prompt, then feed each argmax token alone at its own position.',
          'make_cache: [MLACache(config, batch_size, max_len, dtype=w.dtype, device=w.device) for each layer], w a weight of the model; forward gives layer i cache[i] (None without a cache) and the same start_pos.',
          'start_pos is always the number of tokens already cached: the prompt at 0, the first new token at T0, the next at T0 + 1. generate runs under torch.no_grad(), keeps the train/eval mode, returns the prompt for max_new_tokens = 0, never stops at an EOS token; lm_head is not tied.',
          'cache = self.make_cache(B, T0 + n); logits = self(ids, cache, 0); for step in range(n): nxt = logits[:, -1].argmax(-1, keepdim=True); keep it; if step + 1 < n: logits = self(nxt, cache, T0 + step); return torch.cat([ids, *new], dim=1).',
      )),
    K("deepseek/grpo", 6, "32", "GRPO loss",
      mistakes=("std_over_batch", "no_equal_reward_guard", "kl_sign", "padding_counted",
                "old_not_detached"),
      hints=(
          "Two separate pieces: advantages come from each group's own rewards; the loss is a PPO-style clipped surrogate plus a KL term, averaged per sequence first, then over sequences.",
          "group_advantages: normalise each row by its own mean and std. grpo_loss: per token compute the ratio, the clipped surrogate and the KL estimate, combine, average over each sequence's real tokens, then over sequences, and negate.",
          'rewards.mean(-1, keepdim=True), rewards.std(-1, keepdim=True) (unbiased default); torch.exp of unclamped log-ratios, rho.clamp(1 - eps, 1 + eps), torch.minimum, torch.where(mask, ...), .sum(-1) / mask.sum(-1), .mean().',
          'Equal rewards give 0 via (r - mean) / (std + eps). Detach logp_old, logp_ref AND advantages; cast A to logp.dtype. Ratios from differences, exp(logp - logp_old): exp(-150) underflows. Padding may hold +-1e3: torch.where it away BEFORE any exp (0 * inf = NaN). mask: bool or float.',
          'keep = mask.bool(); lp, old, ref = where(keep, ., 0) of logp and the detached others; rho = exp(lp - old); A = advantages.detach().to(lp)[:, None]; surr = min(rho*A, rho.clamp(1-eps, 1+eps)*A); kl = exp(ref - lp) - (ref - lp) - 1; loss = -(((surr - beta*kl) * keep).sum(-1) / keep.sum(-1)).mean().',
      )),
    K("deepseek/math", 6, "32", "DeepSeekMath-7B: a Llama built from your katas",
      requires=("norms/rms_norm", "positional/rope", "attention/sdpa", "inference/kv_cache", "deepseek/moe"),
      mistakes=("positions_restart_while_decoding", "rope_theta_ignored", "kv_heads_mixed_up"),
      hints=(
          'DeepSeekMath-7B is a Llama: embed, pre-norm layers (attention, then a SwiGLU MLP), a final RMSNorm, an untied head. Nearly every piece is a kata you wrote; the work is wiring them and keeping the positions straight.',
          "The model turns the tokens' positions into cos/sin rows once and hands them to every layer. Attention: project, rotate q and k, update the cache, attend with a bottom-right causal mask, merge heads, o_proj. count_parameters adds up the weight shapes.",
          'rope_cache(head_dim, max_position_embeddings, base=config.rope_theta) in persistent=False buffers; cos[position_ids] is (B, T, head_dim/2); torch.stack([apply_rope(q[b], cos[b], sin[b]) for b in range(B)]); KVCache(B, num_key_value_heads, max_len, head_dim, dtype=..., device=...).',
          'Default positions start at cache[0].length, read before any layer writes. K, V and the cache have num_key_value_heads heads; head h reads KV head h // G. Rotate-half, not interleaved. Validate the config and the positions (ValueError) before any work. The head is not tied.',
          'mask = torch.ones(T, S, dtype=torch.bool, device=x.device).tril(S - T); out = scaled_dot_product_attention(q.reshape(B, n_kv, G*T, hd), k, v, attn_mask=mask.repeat(G, 1)); count = 2*V*H + L*(2*H*n*hd + 2*H*n_kv*hd + 3*H*ff + 2*H) + H.',
      )),
    K("deepseek/grpo_train", 6, "32", "A GRPO training loop on a verifiable task",
      requires=("deepseek/grpo",),
      mistakes=("advantages_over_the_whole_batch", "reference_updated_with_policy"),
      hints=(
          "Each step is one sampling stage: the policy as it is now answers every prompt several times, a checker scores the answers, and then you take several gradient steps against that frozen snapshot of what was sampled.",
          "Sample, score, group advantages, then log-probs of the sampled answers under the policy (pi_old, kept) and the reference, both without gradients; then inner_updates times recompute logp with grad, grpo_loss, zero_grad, backward, step.",
          "torch.multinomial(softmax(logits, -1), G, replacement=True, generator=generator); prompts.repeat_interleave(G, 0) and answers.reshape(-1) keep each group together; log_softmax(...).gather(-1, answers[:, None]) gives (N, 1).",
          "group_advantages(rewards.view(P, G)).reshape(-1), never over the whole batch. logp_old and logp_ref under torch.no_grad() once per step; the reference is never updated or synced. kl = mean(exp(d) - d - 1), d = logp_ref - logp_old. sparkline: min(int((v - lo) / (hi - lo) * 8), 7).",
          "no_grad: a = multinomial(..).reshape(-1); pN = prompts.repeat_interleave(G, 0); r = task.reward(pN, a); A = group_advantages(r.view(P, G)).reshape(-1); old, ref = lp(policy), lp(reference). K times: loss = grpo_loss(lp(policy), old, ref, A, ones(N, 1, bool), eps, beta); zero_grad, backward, step.",
      )),
    # ---------------------------------------------------------------- Phase 7
    K("kernels/vector", 7, "33", "Triton kernels: program ids, masked blocks, a fused bias + GELU",
      mistakes=("no_mask", "wrapper_computes_with_torch"),
      hints=(
          "A Triton kernel runs once per program; each program finds its BLOCK of elements from tl.program_id(0) and handles them all at once as a vector, masking the lanes that fall past the end.",
          "Kernel: offsets from the program id, a mask offsets < n, masked loads, the arithmetic, a masked store. Wrapper: check the arguments, make the inputs contiguous, allocate the output, launch over triton.cdiv(n, block) programs.",
          "offsets = tl.program_id(0) * BLOCK + tl.arange(0, BLOCK); tl.load(x_ptr + offsets, mask=mask); tl.store(out_ptr + offsets, value, mask=mask); kernel[(triton.cdiv(n, block),)](x, y, out, n, BLOCK=block); out = torch.empty_like(x).",
          "Mask both loads and the store. The bias of flat element i is b[i % N]. Upcast half inputs with x.to(tl.float32) before adding (tl.math.erf takes float32/float64); keep float64. ValueError for shapes, dtypes, a block that is not a power of two. n = 0: empty output.",
          "bias_gelu_kernel: mask = offsets < n; x = tl.load(x_ptr + offsets, mask=mask); b = tl.load(b_ptr + offsets % N, mask=mask); v = x.to(tl.float32) + b.to(tl.float32); y = 0.5 * v * (1 + tl.math.erf(v * 0.7071067811865476)); tl.store(out_ptr + offsets, y.to(out_ptr.dtype.element_ty), mask=mask).",
      )),
    K("kernels/softmax", 7, "34", "A softmax kernel: one block per row, then the online softmax across blocks",
      mistakes=("max_not_subtracted_across_blocks", "accumulates_in_input_dtype"),
      hints=(
          "One program per row. A row that fits one block is loaded whole; a longer row is walked block by block, remembering the largest entry so far and a sum that is corrected whenever that largest entry changes.",
          "softmax_kernel: masked load of the row (other=-inf), float32, max, exp, sum, divide, masked store. online_softmax_kernel: a first loop over blocks updates a running max m and sum l; a second loop writes exp(x - m) / l.",
          "row = tl.program_id(0); cols = tl.arange(0, BLOCK); x = tl.load(x_ptr + row * x_row_stride + cols, mask=cols < n_cols, other=float('-inf')).to(tl.float32); tl.max(x, axis=0), tl.exp, tl.sum(e, axis=0). Wrapper: x.reshape(-1, N), grid (rows,).",
          "BLOCK = triton.next_power_of_2(N) for softmax. Upcast to float32 (keep float64). A block of only -inf keeps m = -inf: guard exp(m - m_new) with tl.where. ValueError for 0-dim or integer x and a bad block; empty x: empty output. Pass x2.stride(0) as the row stride.",
          "Pass 1: m_new = tl.maximum(m, tl.max(x, axis=0)); dead = m_new == float('-inf'); alpha = tl.where(dead, 1.0, tl.exp(m - m_new)); p = tl.where(dead, 0.0, tl.exp(x - m_new)); l = l * alpha + tl.sum(p, axis=0); m = m_new. Pass 2: store (tl.exp(x - m) / l).to(out_ptr.dtype.element_ty) with the mask.",
      )),
    K("kernels/matmul", 7, "35", "A tiled matmul kernel: float32 accumulation, masked edges, grouped order",
      mistakes=("accumulates_in_input_dtype", "wrapper_computes_with_torch"),
      hints=(
          "Each program computes one tile of C by sliding along K: a tile of A times a tile of B, added into an accumulator. The order in which programs pick their tiles decides how often the same rows of A and columns of B are fetched.",
          "Map the program id to a tile (pid_m, pid_n) in grouped order; build 2-D offset grids for the A and B tiles from the strides; loop over K in BLOCK_K steps with masked loads; accumulate with tl.dot; store the tile masked.",
          "rows = pid_m * BLOCK_M + tl.arange(0, BLOCK_M); ks = tl.arange(0, BLOCK_K); a = tl.load(a_ptr + rows[:, None] * stride_am + (k0 + ks[None, :]) * stride_ak, mask=..., other=0.0); acc = tl.zeros((BLOCK_M, BLOCK_N), dtype=tl.float32); acc += tl.dot(a, b).",
          "Masks on M and K for A, K and N for B, M and N for the store; other=0.0 on loads. Float32 accumulator, cast on the store. The last group of tile rows may be short: min(num_pid_m - first_pid_m, GROUP_M). K = 0 stores zeros. Pass strides, never copy a or b.",
          "group_id = pid // (GROUP_M * num_pid_n); first_pid_m = group_id * GROUP_M; size = tl.minimum(num_pid_m - first_pid_m, GROUP_M); pid_m = first_pid_m + (pid % (GROUP_M * num_pid_n)) % size; pid_n = (pid % (GROUP_M * num_pid_n)) // size. Grid: (cdiv(M, bm) * cdiv(N, bn),).",
      )),
    K("kernels/rmsnorm", 7, "36", "A fused RMSNorm in Triton: forward, backward, autograd",
      mistakes=("no_mask_ragged_block", "accumulate_in_input_dtype", "wrapper_computes_with_torch"),
      hints=(
          "One program per row: load the row once, reduce it in registers, store the result once. The backward does the same per row, and the weight's gradient is a sum over every row, so it needs a reduction across programs.",
          "Forward program: mask = cols < N; load x and w as float32; rstd = 1 / sqrt(sum(x * x) / N + eps); store y = x * rstd * w and rstd[row]. Backward program: loop over rows pid, pid + P, ...; dx per row; add dy * x_hat into a float32 partial row; a second kernel adds the partials.",
          "cols = tl.arange(0, BLOCK_N) with BLOCK_N = triton.next_power_of_2(N); x = tl.load(x_ptr + row * stride_xm + cols * stride_xn, mask=cols < N, other=0.0).to(tl.float32); tl.sum(x * x, axis=0); launch kernel[(M,)](...). The accumulation dtype can ride on rstd's pointer: rstd_ptr.dtype.element_ty.",
          "Divide by N, not BLOCK_N (masked columns are zeros). Every load .to(float32) before arithmetic (float64 stays float64); rstd and dw partials in that dtype; round only on the final stores. Pass both strides of x and dy. M = 0: no launch, dw = zeros. Check weight's shape and dtype first.",
          "Backward per row: x_hat = x * rstd; wdy = w * dy; c = tl.sum(wdy * x_hat, axis=0) / N; dx = (wdy - x_hat * c) * rstd; dw_acc += dy * x_hat; after the loop tl.store(dw_part_ptr + pid * N + cols, dw_acc, mask=mask). Then out[cols] = sum over p of part[p, cols] in a one-dimensional kernel.",
      )),
    K("kernels/flash_attention", 7, "37", "FlashAttention-2 forward and backward: PyTorch tiles, then Triton",
      mistakes=("causal_skip_off_by_one", "max_not_subtracted_across_blocks", "l_by_s_buffer",
                "accumulates_in_input_dtype", "wrapper_computes_with_torch"),
      hints=(
          "The backward needs the softmax probabilities P, but storing them is the Nq x Nk matrix the forward avoided; the forward's row logsumexp L rebuilds any tile of P exactly: P = exp(S - L).",
          "Forward: inference/flash's online softmax in float32, plus lse = m + log(l). Backward: delta = rowsum(dO * O), then per (key tile, query tile) recompute P = exp(S - lse) and add to dV, dK, dQ. PyTorch first; the Triton kernels are the same loops, one program per tile.",
          "Per tile pair: dV_j += P^T dO_i; dP = dO_i V_j^T; dS = P * (dP - delta_i); dQ_i += dS K_j * scale; dK_j += dS^T Q_i * scale. Causal: key tiles below min(Nk, i1); backward query tiles from (j0 // block_q) * block_q. The Function saves q, k, v, o, lse.",
          "Triton forward: grid (cdiv(Nq, BLOCK_Q), B); rows = pid * BLOCK_Q + tl.arange(0, BLOCK_Q); load q once (mask rows < n_q); per key tile load K, V masked cols < n_k; s = tl.dot(q, tl.trans(k)) * scale, -inf where masked; m, l, acc in tl.float32; store o and lse once.",
          "Triton backward: a delta kernel (tl.sum(o * do, 1)); a dK/dV kernel per key tile looping over query tiles, p = tl.where(keep, tl.exp(s - lse[:, None]), 0); a dQ kernel per query tile looping over key tiles. Outputs from q.new_empty (contiguous); pass input strides.",
      )),
    K("kernels/mla_decode", 7, "38", "FlashMLA-style decode: split-KV attention over the latent cache",
      requires=("mla/attention",),
      mistakes=("no_mask_ragged_block", "max_not_subtracted_across_blocks", "combine_without_max",
                "partials_in_input_dtype", "wrapper_computes_with_torch"),
      hints=(
          "MLA decode is multi-query attention over the latents: every head scores the same cached rows. One program per (sequence, split) holds all H heads, so each cached row is loaded once; the splits' partial results are merged by a second kernel.",
          "Split kernel: read the length, find the split's [start, end), load the (H, r) and (H, rope) queries, then per block of keys: scores, online softmax (running max, sum, output), and store acc / l and m + log(l). Combine kernel: per head, weigh each split by exp(lse_s - lse).",
          "scores = (tl.dot(q, tl.trans(c)) + tl.dot(qr, tl.trans(kr))) * scale, masked to -inf where n >= end; tiles padded to powers of two (at least 16 for tl.dot) and masked on H, r, rope. chunk = cdiv(cdiv(length, num_splits), block_n) * block_n; start = split * chunk.",
          "Mask keys past the length on the loads and the scores. Subtract the max in the splits and in the combine. An empty split stores lse = -inf and o = 0 (guard l = 0). Partials in float32. absorbed_decode: cache.update first, lengths start_pos + 1, scale 1/sqrt(nope + rope).",
          "m_new = max(m, max(s)); alpha = exp(m - m_new); p = exp(s - m_new); l = l * alpha + sum(p); acc = acc * alpha + tl.dot(p, c). Combine: M = max_s lse_s; w_s = exp(lse_s - M); o = sum(w_s * o_s) / sum(w_s); lse = M + log(sum(w_s)).",
      )),
    # ---------------------------------------------------------------- Phase 8
    K("distributed/collectives", 8, "39", "Ring all-reduce, all-gather and reduce-scatter from send/recv",
      mistakes=("shards_off_by_one_at_ragged_split", "wrong_send_recv_order"),
      hints=(
          "Picture the ranks in a circle: each one only ever talks to its two neighbours, passing one slice of the tensor per step. After W - 1 steps of adding what arrives, every slice has visited every rank once.",
          "Flatten and cut the tensor into W chunks with torch.tensor_split. All-reduce is a reduce-scatter (W - 1 steps: send one chunk right, add the chunk that arrives from the left) followed by an all-gather (W - 1 more steps, copying instead of adding). Work on a copy: the input stays as it was.",
          "dist.send blocks until the neighbour posts its recv, so if every rank sends first nobody receives: h = dist.isend(chunk.contiguous(), (r + 1) % W); dist.recv(buffer, (r - 1) % W); h.wait(). The receive buffer needs the chunk's size and dtype (torch.empty_like).",
          "Reduce-scatter step s sends chunk (r - s) % W and adds into (r - s - 1) % W; all-gather step s sends (r - s + 1) % W and overwrites (r - s) % W. all_gather moves whole blocks the same way; reduce_scatter shifts by one so rank r ends with block r.",
          "out = x.clone().contiguous(); c = torch.tensor_split(out.view(-1), W); for s in range(W - 1): buf = torch.empty_like(c[(r-s-1)%W]); exchange(c[(r-s)%W], buf); c[(r-s-1)%W] += buf; then for s in range(W - 1): exchange(c[(r-s+1)%W], c[(r-s)%W]); return out (W == 1 or numel 0: return the copy).",
      )),
    K("distributed/ddp", 8, "40", "Data parallelism: rank-0 broadcast, bucketed all-reduce from gradient hooks",
      mistakes=("gradients_averaged_twice", "gradients_not_averaged", "bucket_waited_before_backward_ends",
                "parameters_not_broadcast"),
      hints=(
          "Every rank runs the same model on its own slice of the batch. If they start from the same weights and apply the same averaged gradient, they stay identical: that is all DDP is. The craft is to start communicating while backward is still producing gradients.",
          "Construction: broadcast weights and buffers from rank 0, cut the trainable parameters into buckets (last layer first), put a hook on each. Backward: when a bucket's gradients are all in, all-reduce them at once without waiting. finish: wait, average, copy back.",
          "dist.broadcast(t, src=0) under torch.no_grad(); p.register_post_accumulate_grad_hook(fn) calls fn(p) once p.grad is complete; dist.all_reduce(flat, async_op=True) returns a handle; handle.wait() in finish_gradient_synchronization.",
          "Buckets: walk reversed([p for p in module.parameters() if p.requires_grad]), open a new bucket when size + p.numel() * p.element_size() > bucket_bytes. Divide the summed gradient by W once. Reset the ready counts and handles after finish, or the second step never launches.",
          "hook(p): ready[b] += 1; if ready[b] == len(bucket): flat = torch.cat([q.grad.reshape(-1) for q in bucket]); pending.append((dist.all_reduce(flat, async_op=True), flat, b)). finish: for h, flat, b: h.wait(); flat /= W; copy slices into each q.grad; then pending = [], ready = [0] * n.",
      )),
    K("distributed/zero", 8, "41", "ZeRO-1: a sharded optimizer",
      mistakes=("shard_off_by_one",),
      hints=(
          "Every rank computes the same update; ZeRO-1 gives each rank one slice of the flattened parameters, keeps optimizer state for that slice only, and shares the results with one all-gather.",
          "shard_range is torch.tensor_split's rule. Copy your slice of the flat parameters into a new leaf tensor and build optimizer_cls([shard]); each step: its gradient slice, inner step, all-gather, copy back in place.",
          "base, extra = divmod(numel, W); start = rank * base + min(rank, extra). Slice the flat gradient by walking the parameters (keep the parts overlapping [start, stop)). gloo's all-gather needs equal sizes: pad to ceil(N / W).",
          "Rank r's gathered block holds its stop - start real elements, then padding: cut each block with shard_range(N, W, r). Check every p.grad first (ValueError with its index). Free the gather output: memory counts whole storages.",
          "step: shard.grad = flat_slice(grads); optimizer.step(); shard.grad = None; mine = zeros(size); mine[:len(shard)] = shard; dist.all_gather(blocks, mine); flat = cat(block[:b - a] for each rank); p.copy_(flat[o:o + n].view_as(p)).",
      )),
    K("distributed/fsdp", 8, "42", "FSDP: parameters sharded at rest, gathered one layer at a time",
      mistakes=("shard_floor_split",),
      hints=(
          "Each rank stores 1/W of every layer. To run a layer, all ranks pool their pieces (all-gather), use the whole layer, and drop it again; backward does the same and hands each rank the averaged gradient of its own piece.",
          "Per child of the Sequential: flatten its parameters, zero-pad to W * S, keep your S-element slice as an nn.Parameter, move the layer to meta. Forward per unit: all-gather, functional_call, free. Backward: gather again, recompute, reduce-scatter the flat gradient, divide by W.",
          "A torch.autograd.Function per unit call: forward(x, shard) gathers and runs the layer under no_grad, saving x and the shard; backward gathers again and gets the input's and parameters' gradients with torch.autograd.grad.",
          "S = ceil(P / W) for every rank (gloo needs equal sizes): padding only at the end of the flat vector, its gradient 0. The layer's parameters are views of the gathered vector's first P elements. Return the shard's gradient from backward: autograd accumulates it into .grad.",
          "backward: full = gather(shard).requires_grad_(); y = functional_call(layer, views(full), (x_in,)); gfull, gx = torch.autograd.grad(y, (full, x_in), grad_y); out = empty(S); dist.reduce_scatter(out, list(gfull.view(W, S))); return gx, out / W.",
      )),
    K("distributed/tensor_parallel", 8, "43", "Megatron tensor parallelism: column and row parallel layers",
      mistakes=("row_column_swapped", "split_off_by_one"),
      hints=(
          "Split a wide layer across ranks without changing its result: one layer keeps a slice of its outputs, the next a slice of its inputs, and one all-reduce sums the partial products.",
          "ColumnParallelLinear: weight rows [a, b) (output features), no forward communication. RowParallelLinear: weight columns [a, b), partial product, all-reduce, then the whole bias. Pair them: column, activation, row.",
          "dist.all_reduce is invisible to autograd: write two autograd.Functions, one identity forward with an all-reduce in backward (before the column layer), one all-reduce forward with an identity backward (after the row layer).",
          "The split is torch.tensor_split's over n // block groups (attention passes block=head_dim: whole heads). Attention's q, k, v share x: reduce its gradient once (all_reduce_input_grad=False on each, one identity/all-reduce Function at the entry).",
          "class Copy(Function): forward(ctx, x): return x.view_as(x); backward(ctx, g): g = g.clone(); dist.all_reduce(g); return g. class Reduce(Function): forward(ctx, x): x = x.clone(); dist.all_reduce(x); return x; backward(ctx, g): return g.",
      )),
    K("distributed/pipeline", 8, "44", "Pipeline parallelism: GPipe and 1F1B schedules",
      mistakes=("blocking_sends_1f1b",),
      hints=(
          "Each rank holds a few consecutive layers. Micro-batches flow through the ranks like an assembly line: activations forward to the next rank, gradients back to the previous one; the schedule decides when each rank runs which forward and backward.",
          "Write forward(i) (receive or take micro-batch i, run the stage, send the output or compute the loss) and backward() (the oldest stored micro-batch: receive its gradient or use the loss, backpropagate, send x.grad back), then call them in the schedule's order.",
          "torch.empty(activation_shape, dtype=dtype) as receive buffer; dist.recv(buf, src); x.requires_grad_(); torch.autograd.backward(y, grad); handle = dist.isend(t.detach().contiguous(), dst) kept and waited at the end; inputs.chunk(M).",
          "GPipe: all forwards, then all backwards. 1F1B: w = min(W - r - 1, M) warm-up forwards, then forward + backward pairs, then w backwards. Backpropagate loss / M; return the mean loss on the last rank only; never zero .grad; ValueError for another schedule.",
          "if gpipe: for i in range(M): forward(i); then M times backward(). else: w = min(W - r - 1, M); forward(i) for i < w; for i in range(w, M): forward(i); backward(); then w times backward(). Sends with isend, never a blocking send.",
      )),
    K("distributed/context_parallel", 8, "45", "Ring attention: context parallelism",
      mistakes=("no_rescale",),
      hints=(
          "Each rank holds one chunk of the sequence. Pass the key/value blocks around a ring so every rank sees every block once, and merge each block into a running softmax instead of ever holding the whole sequence.",
          "This is the online softmax of inference/flash with a block per ring step: keep m, l and acc per query row; step s uses the block of rank (r - s) % W; between steps send yours to r + 1 and receive from r - 1.",
          "dist.get_rank(), dist.get_world_size(); torch.empty_like(k) buffers; dist.P2POp(dist.isend, k, nxt), dist.P2POp(dist.irecv, k_buf, prev), dist.batch_isend_irecv(ops), then req.wait() for each.",
          "A blocking send on every rank deadlocks: post isends. Positions are global (r*T + t): earlier ranks' blocks are fully visible, yours is masked j <= i, later ones skipped but still passed. W - 1 passes, none after the last step. .contiguous() before sending; never write into k or v.",
          "m = full(q.shape[:-1], -inf); for step: s = q @ k.mT / sqrt(D) (mask if causal and source == rank); m_new = maximum(m, s.amax(-1)); p = exp(s - m_new[..., None]); c = exp(m - m_new); acc = acc * c[..., None] + p @ v; l = l * c + p.sum(-1); m = m_new; pass k, v on. return acc / l[..., None].",
      )),
    K("distributed/expert_parallel", 8, "46", "Expert parallelism: the MoE over all_to_all",
      requires=("deepseek/moe",),
      mistakes=("wrong_split_sizes",),
      hints=(
          "Each rank keeps only its share of the experts. Tokens stay where they are routed, travel to the rank that owns their expert, get computed there, and travel back to be combined exactly as in deepseek/moe.",
          "Route with the gate, sort the (token, expert) pairs by expert (which also groups them by owner rank), tell every rank how many rows to expect, exchange the rows, run each local expert once, send the results back with the splits swapped, combine with the weights.",
          "L = E // W; owner = topk_idx // L; send_counts = torch.bincount(owner.flatten(), minlength=W); dist.all_to_all_single(recv_counts, send_counts); dist.all_to_all_single(out, inp, output_split_sizes, input_split_sizes).",
          "Received counts are the output splits (they differ from what you send when routing is uneven). Send the local expert index (global - r*L). A rank with no tokens still joins every all_to_all. E % W != 0: ValueError before any communication.",
          "order = flat.argsort(stable=True); token_of = order // k; send tokens[token_of] and flat[order] % L; results[sel] = experts[j](arrived[sel]); send back, splits swapped; routed.index_add_(0, token_of, back.float() * w.flatten()[order, None]); + shared.",
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
