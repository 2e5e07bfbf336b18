"""Specs for katas/transformer/gpt2.py: GPT2Config, GPT2 (forward, generate).

The reference is Hugging Face transformers' GPT2LMHeadModel, frozen into golden fixtures by
scripts/make_gpt2_fixtures.py (tiny config: vocab 61, 32 positions, n_embd 24, 2 layers, 3
heads; seeded random weights, LayerNorms and biases included): specs/transformer/fixtures/
gpt2_tiny.pt holds the weights under the kata's names, input batches, the reference logits
(computed in float64), a loss's gradients and greedy continuations. Nothing here imports
transformers or touches the network.

Contract -> specs:
- exact state_dict keys and shapes, every weight an nn.Parameter (no buffers), tied head,
  124,439,808 on meta: test_state_dict_*,
  test_lm_head_is_tied_*, test_parameter_count_*
- logits (B, T, V) float32 vs Hugging Face, causality, 0-based positions, grads:
  test_logits_*, test_changing_a_future_token_*, test_gradients_*, test_forward_takes_non_contiguous_*;
  float32 logits under a float64 default dtype (a float mask without dtype=): test_forward_takes_non_contiguous_*
- eps = config.layer_norm_epsilon (formula oracle; an explicit 0.0 too, on small activations at ln_1, ln_2 and ln_f):
  test_layer_norm_eps_comes_from_the_config
- T > block_size -> ValueError naming both: test_forward_longer_than_block_size_raises
- 1 <= T <= block_size for any block_size (no mask / position table capped at GPT-2's 1024):
  test_a_block_size_past_gpt2s_1024_has_no_cap
- dropout only in train(), at embeddings / attention weights (after the softmax: token 0's one
  weight becomes 0 or 2) / both residual branches, none inside the mlp:
  test_dropout_is_off_in_eval_mode, test_dropout_at_every_place_in_training
- no dropout elsewhere (after ln_1 / ln_2 / ln_f, after the last block): test_dropout_nowhere_else_in_training
- generate: crop, greedy, top_k (incl. 1, >= vocab, and logits near -1e5 at temperature 1e-5: -inf fill), temperature (incl. 0 with top_k, int
  and float; a tiny 1e-3 is greedy, with no overflow: test_temperature_zero_*), softmax(logits / T) sampling on the global RNG, max_new_tokens=0:
  test_greedy_*, test_top_k_*, test_temperature_zero_*, test_sampling_*, test_zero_new_tokens_*
- generate under no_grad (not inference_mode: an ordinary result tensor), mode unchanged both ways (also while it runs), idx untouched:
  test_generate_runs_without_gradients, test_generate_leaves_train_mode_alone,
  test_generate_leaves_idx_and_mode_alone
- forward on idx's device (positions, causal mask, also one cached at an earlier CPU call; meta device):
  test_forward_runs_on_the_input_device
"""

from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

from harness.checks import SpecFailure, assert_close, assert_parameters_like, non_contiguous, on_meta, unchanged
from harness.edges import default_dtype
from katas.transformer.gpt2 import GPT2, GPT2Config

FIXTURE = torch.load(Path(__file__).parent / "fixtures" / "gpt2_tiny.pt", weights_only=True)
CFG = FIXTURE["config"]
V, BLOCK, C = CFG["vocab_size"], CFG["block_size"], CFG["n_embd"]
GPT2_SMALL = 124_439_808

# float32 forward vs float64 reference: observed errors ~4e-6 on logits of magnitude up to ~14.
LOGIT_TOL = dict(rtol=1e-4, atol=1e-4)

HINT_BLOCKS = ("x = wte(idx) + wpe(0..T-1); every block: x = x + attn(ln_1(x)), x = x + mlp(ln_2(x)); "
               "then logits = lm_head(ln_f(x)); mlp = c_proj(GELU_tanh(c_fc(x))) with "
               "nn.GELU(approximate='tanh'); LayerNorm eps = config.layer_norm_epsilon")
HINT_ATTN = ("q, k, v = c_attn(x).split(n_embd, dim=-1) in that order; heads: view(B, T, n_head, hd)"
             ".transpose(1, 2); scores q @ k^T / sqrt(hd) masked causally (token t sees 0..t); "
             "weights @ v, heads transposed back and reshaped to (B, T, n_embd), then c_proj")
HINT_POSITIONS = ("positions are 0, 1, ..., T-1: the first token of the window takes wpe row 0, and "
                  "a full window T = block_size uses every row of wpe")
HINT_CAUSAL = ("attention must be causal: token t attends tokens 0..t only; set the scores of keys "
               "j > t to -inf before the softmax (torch.ones(T, T, dtype=torch.bool).tril())")
HINT_TOKENS = ("and the heads must split each token's channels: q.view(B, T, n_head, hd).transpose(1, 2); "
               "q.view(B, n_head, T, hd) straight from (B, T, C) mixes channels of different tokens")
HINT_CROP = ("generate must feed forward at most block_size tokens: context = idx[:, -block_size:] "
             "(the LAST block_size tokens; their positions are again 0..block_size-1)")


def require(condition: bool, message: str) -> None:
    """Fail with `message` (and no assertion-rewrite dump of the objects involved)."""
    __tracebackhide__ = True
    if not condition:
        raise SpecFailure(message)


def tiny(**changes) -> GPT2:
    return GPT2(GPT2Config(**{**CFG, **changes}))


def load(model: GPT2, state_dict: dict) -> GPT2:
    """load_state_dict(strict=True) with a readable failure; returns the model in eval mode."""
    __tracebackhide__ = True
    try:
        model.load_state_dict(state_dict, strict=True)
    except NotImplementedError:
        raise
    except RuntimeError as err:
        raise SpecFailure("GPT2(config).load_state_dict(reference weights) failed:\n  "
                          + str(err).strip().replace("\n", "\n  ")[:1500]
                          + "\n  hint: test_state_dict_has_nanogpt_keys lists the names and shapes") from None
    return model.eval()


def loaded(**changes) -> GPT2:
    return load(tiny(**changes), FIXTURE["state_dict"])


def closed_form(vocab_size, block_size, n_layer, n_embd) -> int:
    """Embeddings + per layer (2 LayerNorms, c_attn, attn c_proj, c_fc, mlp c_proj) + ln_f; head tied."""
    per_layer = 4 * n_embd + (3 * n_embd * n_embd + 3 * n_embd) + (n_embd * n_embd + n_embd) \
        + (4 * n_embd * n_embd + 4 * n_embd) + (4 * n_embd * n_embd + n_embd)
    return vocab_size * n_embd + block_size * n_embd + n_layer * per_layer + 2 * n_embd


def count_hint(n: int, cfg: GPT2Config) -> str:
    expected = closed_form(cfg.vocab_size, cfg.block_size, cfg.n_layer, cfg.n_embd)
    diff = n - expected
    if diff == cfg.vocab_size * cfg.n_embd:
        return ("exactly one extra vocab_size x n_embd matrix: the head is not tied; set "
                "self.lm_head.weight = self.transformer.wte.weight so both names hold ONE Parameter")
    if diff == -cfg.block_size * cfg.n_embd:
        return "exactly the position embeddings missing: add transformer.wpe = nn.Embedding(block_size, n_embd)"
    if diff == cfg.vocab_size:
        return "exactly vocab_size extra: lm_head has a bias; GPT-2's head is nn.Linear(n_embd, vocab_size, bias=False)"
    return (f"{diff:+,} parameters off; per layer: ln_1, c_attn (3C x C + 3C), attn c_proj (C x C + C), "
            "ln_2, c_fc (4C x C + 4C), mlp c_proj (C x 4C + C); plus wte, wpe, ln_f, and a tied head")


# ------------------------------------------------------------------------ structure

def test_state_dict_has_nanogpt_keys():
    model = tiny()
    mine = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    expected = {k: tuple(v.shape) for k, v in FIXTURE["state_dict"].items()}
    missing, unexpected = sorted(set(expected) - set(mine)), sorted(set(mine) - set(expected))
    require(not missing and not unexpected,
            f"GPT2({CFG}).state_dict() keys differ from nanoGPT's:\n"
            f"  missing    {missing[:8]}{' ...' if len(missing) > 8 else ''}\n"
            f"  unexpected {unexpected[:8]}{' ...' if len(unexpected) > 8 else ''}\n"
            "  hint: self.transformer = nn.ModuleDict(dict(wte=..., wpe=..., h=nn.ModuleList(blocks), "
            "ln_f=...)); each block has ln_1, attn (c_attn, c_proj), ln_2, mlp (c_fc, c_proj); "
            "register a causal-mask buffer with persistent=False (or build the mask in forward)")
    wrong = {k: (mine[k], expected[k]) for k in expected if mine[k] != expected[k]}
    require(not wrong,
            "GPT2 parameter shapes differ (got, expected): "
            + "; ".join(f"{k}: {g} vs {e}" for k, (g, e) in list(wrong.items())[:6])
            + "\n  hint: nn.Linear stores (out_features, in_features): c_attn is (3C, C), c_fc (4C, C), "
            "mlp.c_proj (C, 4C); wpe has block_size rows")
    assert_parameters_like(model, expected, what=f"GPT2({CFG})", like="nanoGPT's GPT",
                           hint="every weight is an nn.Parameter (lm_head.weight is transformer.wte.weight, "
                                "one tied Parameter); only a causal mask may be a (non-persistent) buffer")


def test_lm_head_is_tied_to_the_token_embedding():
    model = tiny()
    params = dict(model.named_parameters(remove_duplicate=False))
    head, wte = params.get("lm_head.weight"), params.get("transformer.wte.weight")
    require(head is not None and wte is not None,
            "GPT2 needs parameters named lm_head.weight and transformer.wte.weight")
    require(head is wte,
            "GPT2: lm_head.weight is a different Parameter from transformer.wte.weight\n"
            "  hint: GPT-2 ties them: self.lm_head.weight = self.transformer.wte.weight (one Parameter "
            "under two names, trained by both uses); a copy or a fresh nn.Linear is untied")


@pytest.mark.parametrize("name,changes,expected", [
    ("gpt2-small", {}, GPT2_SMALL),
    ("tiny", CFG, closed_form(V, BLOCK, CFG["n_layer"], C)),
], ids=["gpt2-small", "tiny"])
def test_parameter_count_on_the_meta_device(name, changes, expected):
    config = GPT2Config(**changes)
    with torch.device("meta"):
        model = GPT2(config)
    n = sum(p.numel() for p in model.parameters())  # a tied Parameter is listed once
    require(n == expected,
            f"{name}: GPT2({config}) has {n:,} parameters, expected {expected:,}\n"
            f"  hint: {count_hint(n, config)}")


# ------------------------------------------------------------------------ forward

def _forward(model, idx):
    __tracebackhide__ = True
    try:
        return model(idx)
    except IndexError as err:
        raise SpecFailure(f"GPT2 forward(idx {tuple(idx.shape)}) raised IndexError: {err}\n"
                          f"  hint: {HINT_POSITIONS}") from None


@pytest.mark.parametrize("B,T", [(1, 1), (3, 5), (2, 13), (1, BLOCK)])
def test_logits_shape_and_dtype(B, T):
    model = loaded()
    idx = torch.randint(0, V, (B, T), generator=torch.Generator().manual_seed(B * 100 + T))
    logits = _forward(model, idx)
    require(isinstance(logits, torch.Tensor) and tuple(logits.shape) == (B, T, V),
            f"GPT2 forward(idx ({B}, {T})) returned "
            f"{tuple(logits.shape) if isinstance(logits, torch.Tensor) else type(logits).__name__}, "
            f"expected logits of shape ({B}, {T}, vocab_size={V})\n"
            "  hint: return only the logits tensor (no (logits, loss) tuple), one row per position")
    require(logits.dtype == torch.float32, f"GPT2 forward: logits dtype {logits.dtype}, expected float32")


HINT_ONE_TOKEN = ("with one token, attention returns that token's own value vector, so the error sits "
                  "in the embeddings (" + HINT_POSITIONS + "), the LayerNorms, the MLP's GELU (tanh "
                  "form), the residuals or the head; " + HINT_BLOCKS)


def test_logits_of_one_token_match_the_reference_gpt2():
    model = loaded()
    idx, expected = FIXTURE["inputs"][0], FIXTURE["logits"][0]
    logits = _forward(model, idx)
    assert_close(logits, expected, what=f"GPT2 logits for idx {tuple(idx.shape)} vs Hugging Face GPT2LMHeadModel",
                 **LOGIT_TOL, hint=HINT_ONE_TOKEN)


def test_changing_a_future_token_leaves_earlier_logits_alone():
    model = loaded()
    idx = torch.randint(0, V, (2, 12), generator=torch.Generator().manual_seed(5))
    changed = idx.clone()
    changed[:, 6:] = (idx[:, 6:] + 17) % V
    before, after = model(idx), model(changed)
    assert_close(after[:, :6], before[:, :6], what="GPT2 logits[:, :6] after changing tokens 6..11",
                 rtol=1e-5, atol=1e-5, hint=HINT_CAUSAL + "; " + HINT_TOKENS)


def test_logits_of_a_prefix_equal_the_first_rows():
    model = loaded()
    idx = torch.randint(0, V, (3, 10), generator=torch.Generator().manual_seed(6))
    full, prefix = model(idx), model(idx[:, :4])
    assert_close(prefix, full[:, :4], what="GPT2 forward(idx[:, :4]) vs forward(idx)[:, :4]",
                 rtol=1e-5, atol=1e-5,
                 hint="the logits at position t depend on tokens 0..t only, not on the sequence's length: "
                      + HINT_CAUSAL + "; " + HINT_POSITIONS + "; " + HINT_TOKENS)


@pytest.mark.parametrize("case", range(1, len(FIXTURE["inputs"])),
                         ids=[f"idx{tuple(x.shape)}" for x in FIXTURE["inputs"][1:]])
def test_logits_match_the_reference_gpt2(case):
    model = loaded()
    idx, expected = FIXTURE["inputs"][case], FIXTURE["logits"][case]
    logits = _forward(model, idx)
    T = idx.shape[1]
    assert_close(logits, expected, what=f"GPT2 logits for idx {tuple(idx.shape)} vs Hugging Face GPT2LMHeadModel",
                 **LOGIT_TOL, hint=(f"T = {T} tokens{' = block_size' if T == BLOCK else ''}: if the one-token "
                                    "and causality specs pass, look at attention across tokens: " + HINT_ATTN))


def test_gradients_match_the_reference_gpt2():
    model = loaded()
    logits = model(FIXTURE["grad_input"])
    F.cross_entropy(logits.reshape(-1, V), FIXTURE["grad_target"].reshape(-1)).backward()
    params = dict(model.named_parameters(remove_duplicate=False))  # both names of the tied weight
    for name, expected in FIXTURE["grads"].items():
        grad = params[name].grad
        require(grad is not None, f"GPT2: no gradient reached {name}; is it used in forward?")
        hint = ("wte is used twice (embedding and tied head): its gradient is the sum of both; "
                "an untied head leaves out the head's part") if name == "transformer.wte.weight" else (
            "if the logits match, the gradients follow: check the parameter is used once, in place")
        assert_close(grad, expected, what=f"d cross_entropy / d {name}", rtol=1e-3, atol=1e-5, hint=hint)


def test_dropout_is_off_in_eval_mode():
    model = load(tiny(dropout=0.3), FIXTURE["state_dict"])
    idx, expected = FIXTURE["inputs"][1], FIXTURE["logits"][1]
    logits = model(idx)
    assert_close(logits, expected, what="GPT2(dropout=0.3).eval() logits vs the reference", **LOGIT_TOL,
                 hint="use nn.Dropout modules (or F.dropout(..., training=self.training)): eval() turns them off")


def test_forward_takes_non_contiguous_idx_and_leaves_it_alone():
    model = loaded()
    idx = non_contiguous(FIXTURE["inputs"][1])
    with unchanged(idx, names=["idx"]):
        logits = model(idx)
    assert_close(logits, FIXTURE["logits"][1], what="GPT2 forward(non-contiguous idx (3, 7))", **LOGIT_TOL)
    hint = ("build the causal mask bool (torch.ones(T, T, dtype=torch.bool, device=idx.device).tril()) or "
            "with x's dtype: torch.full(...) / torch.zeros(...) without dtype= follow torch.get_default_dtype()")
    try:
        with default_dtype(torch.float64):
            logits = model(idx)
    except RuntimeError as err:
        raise SpecFailure(f"float32 GPT2 forward(idx (3, 7)) under torch.set_default_dtype(torch.float64) raised "
                          f"{str(err).splitlines()[0]}\n  hint: {hint}") from None
    require(logits.dtype == torch.float32, f"float32 GPT2 forward under torch.set_default_dtype(torch.float64) "
            f"returned {logits.dtype} logits, expected float32\n  hint: {hint}")
    assert_close(logits, FIXTURE["logits"][1], **LOGIT_TOL, hint=hint,
                 what="float32 GPT2 forward(idx (3, 7)) under torch.set_default_dtype(torch.float64)")


# ------------------------------------------------------------------------ generate

def _generate(model, idx, n, **kwargs):
    __tracebackhide__ = True
    try:
        return model.generate(idx, n, **kwargs)
    except (IndexError, ValueError, AssertionError) as err:
        raise SpecFailure(f"GPT2.generate(idx {tuple(idx.shape)}, {n}, {kwargs}) raised "
                          f"{type(err).__name__}: {err}\n  hint: {HINT_CROP}") from None


@pytest.mark.parametrize("case", range(len(FIXTURE["greedy"])),
                         ids=[f"prompt{tuple(p.shape)}+{s.shape[1] - p.shape[1]}" for p, s in FIXTURE["greedy"]])
def test_greedy_generation_matches_the_reference(case):
    prompt, expected = FIXTURE["greedy"][case]
    model = loaded()
    n = expected.shape[1] - prompt.shape[1]
    out = _generate(model, prompt, n, temperature=0)
    assert_close(out, expected,
                 what=f"GPT2.generate(prompt {tuple(prompt.shape)}, {n}, temperature=0) vs step-by-step "
                      "argmax of the reference (the sequence passes block_size)",
                 hint="return cat(prompt, new tokens) as int64; temperature=0 means argmax of the last "
                      "position's logits; " + HINT_CROP)


def test_top_k_1_is_greedy():
    prompt, expected = FIXTURE["greedy"][0]
    model = loaded()
    n = expected.shape[1] - prompt.shape[1]
    torch.manual_seed(0)
    out = _generate(model, prompt, n, top_k=1)
    assert_close(out, expected, what=f"GPT2.generate(prompt {tuple(prompt.shape)}, {n}, top_k=1)",
                 hint="with top_k=1 only the largest logit survives (the others -inf), so sampling "
                      "must pick it every time")


def test_generate_leaves_idx_and_mode_alone():
    prompt, expected = FIXTURE["greedy"][1]
    model = loaded()
    with unchanged(prompt, names=["idx"]):
        out = _generate(model, prompt, 2, temperature=0)
    assert_close(out, expected[:, : prompt.shape[1] + 2], what="GPT2.generate(prompt (1, 40), 2, temperature=0)",
                 hint=HINT_CROP)
    require(not model.training, "GPT2.generate switched the model to train mode; leave the mode as it is")


def constant_logits_model(seed: int = 7, spread: float = 1.5, shift: float = 0.0):
    """The reference weights with ln_f's weight zeroed: ln_f outputs its bias b whatever the
    input, so the logits are wte @ b at every position. `shift` adds the same vector
    shift * b / |b|^2 to every row of wte (the tied head), moving every logit by `shift`.
    Returns (model, z float64)."""
    state = dict(FIXTURE["state_dict"])
    wte = state["transformer.wte.weight"].double()
    b = torch.randn(C, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
    b = (b * spread / (wte @ b).std()).float().double()
    if shift:
        wte = (wte + shift * b / (b @ b)).float().double()
        state["transformer.wte.weight"] = state["lm_head.weight"] = wte.float()
    state["transformer.ln_f.weight"] = torch.zeros(C)
    state["transformer.ln_f.bias"] = b.float()
    return load(tiny(), state), wte @ b


@pytest.mark.parametrize("shift,temperature", [(0.0, 5.0), (-1e5, 1e-5)], ids=["t5.0", "logits-1e5,t1e-5"])
def test_top_k_samples_only_among_the_top_k(shift, temperature):
    """Second case: every logit near -1e5, divided by 1e-5: the kept ones near -1e10, so a finite
    fill for the others (-1e4, -1e9) would outweigh them; only -inf hides a token."""
    model, z = constant_logits_model(shift=shift)
    top3 = set(z.topk(3).indices.tolist())
    torch.manual_seed(1)
    out = _generate(model, torch.zeros(300, 1, dtype=torch.long), 2, temperature=temperature, top_k=3)
    new = out[:, 1:]
    outside = sorted(set(new.flatten().tolist()) - top3)
    require(not outside,
            f"GPT2.generate(..., temperature={temperature}, top_k=3) on logits near {shift:g} sampled tokens "
            f"{outside[:10]} outside the 3 most likely {sorted(top3)}\n  hint: keep the top_k largest logits "
            "and set every other one to -inf before the softmax (v = logits.topk(k).values; "
            "logits[logits < v[:, [-1]]] = -inf); a finite fill such as -1e4 or -1e9 is not below "
            "logits / temperature when those are near -1e10")
    if shift:
        return
    seen = set(new.flatten().tolist())
    require(len(seen) > 1,
            f"GPT2.generate(..., temperature=5.0, top_k=3) produced only token {seen} in 600 draws\n"
            "  hint: with top_k, sample from the softmax of the kept logits (torch.multinomial), don't take the argmax")


@pytest.mark.parametrize("temperature", [None, 0.5, 2.0], ids=["default", "t0.5", "t2.0"])
def test_sampling_follows_softmax_of_logits_over_temperature(temperature):
    model, z = constant_logits_model()
    N = 4000
    kwargs = {} if temperature is None else {"temperature": temperature}
    torch.manual_seed(2)
    out = _generate(model, torch.zeros(N, 1, dtype=torch.long), 1, **kwargs)
    freq = torch.bincount(out[:, 1], minlength=V).double() / N
    p = torch.softmax(z / (temperature or 1.0), dim=0)
    sigma = (p * (1 - p) / N).sqrt()
    worst = int(((freq - p).abs() - 5 * sigma).argmax())
    require(bool(((freq - p).abs() <= 5 * sigma + 2 / N).all()),
            f"GPT2.generate(..., {kwargs or 'default temperature 1.0'}): token {worst} was sampled with "
            f"frequency {freq[worst].item():.4f} over {N} draws; softmax(logits / T) gives it "
            f"{p[worst].item():.4f} (+- {5 * sigma[worst].item():.4f})\n"
            "  hint: divide the last position's logits by the temperature, softmax, then torch.multinomial "
            "(temperature=1.0 by default: the model's own distribution)")


def test_forward_runs_on_the_input_device():
    """The meta device stands in for a GPU: positions or a causal mask made on the default
    device (no device=) meet meta tensors and fail. Code that reads tensor data (a Python
    branch on a tensor, .item()) cannot run on meta: not judged."""
    model = tiny()
    with torch.no_grad():  # a CPU call first: a mask cached lazily in a plain attribute is then left on the CPU
        model(torch.zeros(2, 5, dtype=torch.long))
    model = model.to("meta")
    idx = torch.empty(2, 5, dtype=torch.long, device="meta")
    # the meta device lets a CPU index read a meta table, a GPU does not: watch wpe's input
    fed = []
    hook = model.transformer.wpe.register_forward_pre_hook(
        lambda m, args: fed.extend(str(a.device) for a in args if isinstance(a, torch.Tensor)))
    # on meta itself, not the cheap probe (assert_on_input_device): a mask kept in a plain
    # attribute stays on the CPU with a CPU model, and only .to("meta") leaves it behind
    try:
        out = on_meta(model, idx, what="GPT2(tiny config), called once on the CPU, then .to('meta')(idx (2, 5) on meta)",
                      hint="build the positions and the causal mask on idx's device: torch.arange(T, "
                           "device=idx.device), torch.ones(T, T, dtype=torch.bool, device=x.device) (or a "
                           "registered buffer, which moves with the model; a mask cached in a plain attribute "
                           "at the first call stays on that call's device)")
    finally:
        hook.remove()
    if out is None:
        return  # the code reads data: the meta device cannot judge it
    off = [d for d in fed if d != "meta"]
    require(not off, f"GPT2(tiny config).to('meta')(idx (2, 5) on meta) called transformer.wpe with positions "
                     f"on {off[0] if off else ''}, not on idx's device: on a GPU that lookup fails\n  hint: "
                     f"pos = torch.arange(T, device=idx.device)")
    assert_close((str(out.device), tuple(out.shape)), ("meta", (2, 5, V)),
                 what="GPT2(tiny config).to('meta')(idx (2, 5) on meta): (logits device, shape)",
                 hint="the logits live on idx's device")


# ------------------------------------------------------------------------ a formula oracle

def formula_logits(state: dict, idx: torch.Tensor, n_head: int, eps: float) -> torch.Tensor:
    """GPT-2's forward written out from the contract, in float64 (the oracle for configs the
    fixtures do not cover)."""
    w = {k: v.double() for k, v in state.items()}
    B, T = idx.shape
    x = w["transformer.wte.weight"][idx] + w["transformer.wpe.weight"][:T]
    n_layer = len({k.split(".")[2] for k in w if k.startswith("transformer.h.")})
    Cx = x.shape[-1]
    hd = Cx // n_head
    hidden = torch.ones(T, T, dtype=torch.bool).triu(1)
    for i in range(n_layer):
        p = lambda name: w[f"transformer.h.{i}.{name}"]  # noqa: E731
        u = F.layer_norm(x, (Cx,), p("ln_1.weight"), p("ln_1.bias"), eps)
        q, k, v = F.linear(u, p("attn.c_attn.weight"), p("attn.c_attn.bias")).split(Cx, dim=-1)
        q, k, v = (t.reshape(B, T, n_head, hd).transpose(1, 2) for t in (q, k, v))
        s = (q @ k.transpose(-2, -1) / hd ** 0.5).masked_fill(hidden, float("-inf"))
        y = (s.softmax(-1) @ v).transpose(1, 2).reshape(B, T, Cx)
        x = x + F.linear(y, p("attn.c_proj.weight"), p("attn.c_proj.bias"))
        u = F.layer_norm(x, (Cx,), p("ln_2.weight"), p("ln_2.bias"), eps)
        h = F.gelu(F.linear(u, p("mlp.c_fc.weight"), p("mlp.c_fc.bias")), approximate="tanh")
        x = x + F.linear(h, p("mlp.c_proj.weight"), p("mlp.c_proj.bias"))
    x = F.layer_norm(x, (Cx,), w["transformer.ln_f.weight"], w["transformer.ln_f.bias"], eps)
    return x @ w["transformer.wte.weight"].T


@pytest.mark.parametrize("eps", [0.5, 1e-2, 0.0])
def test_layer_norm_eps_comes_from_the_config(eps):
    idx = FIXTURE["inputs"][1]
    oracle = formula_logits(FIXTURE["state_dict"], idx, CFG["n_head"], CFG["layer_norm_epsilon"])
    assert torch.allclose(oracle, FIXTURE["logits"][1].double(), rtol=1e-6, atol=1e-6), \
        "spec data: formula_logits disagrees with Hugging Face's fixture logits"
    state, tol, note = FIXTURE["state_dict"], LOGIT_TOL, ""
    if eps == 0.0:  # an explicit 0.0: embeddings and every residual branch's c_proj scaled by 1e-3 (variance
        # ~1e-6 at the input of ln_1, ln_2 and ln_f alike), so eps 0 and 1e-5 differ at every LayerNorm
        state = {k: v * 1e-3 if k in ("transformer.wte.weight", "lm_head.weight", "transformer.wpe.weight")
                 or ".c_proj." in k else v for k, v in state.items()}
        tol, note = dict(rtol=1e-4, atol=1e-6), (", wte (= lm_head), wpe and the c_proj weights and biases scaled "
                                                 "by 1e-3 (logits ~1e-2)")
    model = load(tiny(layer_norm_epsilon=eps), state)
    expected = formula_logits(state, idx, CFG["n_head"], eps).float()
    assert_close(_forward(model, idx), expected, **tol,
                 what=f"GPT2(GPT2Config(..., layer_norm_epsilon={eps})) logits for idx {tuple(idx.shape)}{note}",
                 hint="every LayerNorm (ln_1, ln_2, ln_f) takes eps=config.layer_norm_epsilon, not a "
                      "hard-coded 1e-5; an explicit 0.0 is a value (no `layer_norm_epsilon or 1e-5`)")


def test_a_block_size_past_gpt2s_1024_has_no_cap():
    # GPT-2 small's 1024 positions are a default, not a limit: a causal mask or position table
    # built at import (or in __init__) for 1024 tokens fails here, at T = 1025 = block_size.
    T = 1025
    model = GPT2(GPT2Config(vocab_size=5, block_size=T, n_layer=1, n_head=1, n_embd=2)).eval()
    gen = torch.Generator().manual_seed(4)  # weights of our own: initialisation is not checked
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=gen, dtype=p.dtype))
    idx = torch.randint(0, 5, (1, T), generator=torch.Generator().manual_seed(3))
    try:
        logits = model(idx)
    except (RuntimeError, IndexError) as err:
        raise SpecFailure(f"GPT2(GPT2Config(block_size={T}, ...)) forward(idx (1, {T})) raised "
                          f"{type(err).__name__}: {str(err)[:300]}\n  hint: build the causal mask and the "
                          "positions for this call's T (or from config.block_size), never for a fixed 1024") from None
    require(isinstance(logits, torch.Tensor) and tuple(logits.shape) == (1, T, 5),
            f"GPT2(GPT2Config(block_size={T}, vocab_size=5, ...)) forward(idx (1, {T})) returned "
            f"{tuple(logits.shape) if isinstance(logits, torch.Tensor) else type(logits).__name__}, expected (1, {T}, 5)")
    assert_close(logits[:, :3], model(idx[:, :3]), rtol=1e-5, atol=1e-5,
                 what=f"GPT2(GPT2Config(block_size={T}, ...)): forward(idx (1, {T}))[:, :3] vs forward(idx[:, :3])",
                 hint="the mask and positions must cover every T up to config.block_size, not GPT-2 small's 1024")


def test_forward_longer_than_block_size_raises():
    from harness.checks import assert_raises
    model = loaded()
    idx = torch.zeros(1, BLOCK + 1, dtype=torch.long)
    assert_raises(ValueError, model, idx, what=f"GPT2 forward(idx (1, {BLOCK + 1})) with block_size={BLOCK}",
                  contract="T > block_size raises ValueError naming T and block_size",
                  mentions=(BLOCK + 1, BLOCK))


# ------------------------------------------------------------------------ dropout in training

def dropout_trace(model, idx):
    """Run model(idx) in train() mode and record, through forward hooks on the pinned modules,
    the tensors around every place the contract puts a dropout."""
    rec, hooks = {}, []
    block0, block1 = model.transformer.h[0], model.transformer.h[1]

    def out(name):
        return lambda m, args, output: rec.__setitem__(name, output.detach().clone())

    def inp(name):
        return lambda m, args: rec.__setitem__(name, args[0].detach().clone())

    for module, name in ((block0.ln_1, "u"), (block0.attn.c_attn, "qkv"), (block0.attn.c_proj, "y"),
                         (block0.mlp.c_fc, "f"), (block0.mlp.c_proj, "m")):
        hooks.append(module.register_forward_hook(out(name)))
    for module, name in ((block0.ln_1, "x0"), (block0.attn.c_proj, "z"), (block0.ln_2, "x1"),
                         (block0.mlp.c_proj, "g"), (block1.ln_1, "x2")):
        hooks.append(module.register_forward_pre_hook(inp(name)))
    try:
        torch.manual_seed(0)
        with torch.no_grad():
            model.train()(idx)
    finally:
        for h in hooks:
            h.remove()
        model.eval()
    with torch.no_grad():  # the embeddings from the parameters (wpe may be sliced, not called)
        rec["emb"] = model.transformer.wte.weight[idx] + model.transformer.wpe.weight[: idx.shape[1]]
    missing = {"u", "qkv", "y", "f", "m", "x0", "z", "x1", "g", "x2"} - set(rec)
    if missing:
        pytest.skip(f"the spec observes dropout through hooks on the pinned modules, and "
                    f"{sorted(missing)} were not called as modules")
    return rec


def check_dropped(got, base, what, where):
    """got = dropout(base) with p = 0.5: every element 0 or 2 * base, about half of them 0."""
    __tracebackhide__ = True
    zero = got == 0
    frac = zero.float().mean().item()
    require(0.35 < frac < 0.65,
            f"GPT2(dropout=0.5).train(): {frac:.0%} of {what} were dropped, expected about half\n"
            f"  hint: dropout (p = config.dropout, active in train() mode) {where}")
    assert_close(torch.where(zero, 0.0, got), torch.where(zero, 0.0, 2 * base), atol=1e-5,
                 what=f"GPT2(dropout=0.5).train(): the kept elements of {what}",
                 hint=f"dropout {where}, scaled by 1 / (1 - p), and nowhere else on that path")


DROPOUT_PLACES = ["embeddings", "attention weights", "attention residual", "mlp residual", "inside mlp"]


@pytest.mark.parametrize("place", DROPOUT_PLACES)
def test_dropout_at_every_place_in_training(place):
    model = load(tiny(dropout=0.5), FIXTURE["state_dict"])
    idx = torch.randint(0, V, (4, 16), generator=torch.Generator().manual_seed(8))
    r = dropout_trace(model, idx)
    if place == "embeddings":
        check_dropped(r["x0"], r["emb"], "the embeddings wte(idx) + wpe(pos) entering "
                      "block 0", "on wte(idx) + wpe(pos), before the first block")
    elif place == "attention residual":
        check_dropped(r["x1"] - r["x0"], r["y"], "attention's output c_proj(y) added to the stream",
                      "on attn's c_proj output, before the residual add: x = x + dropout(c_proj(y))")
    elif place == "mlp residual":
        check_dropped(r["x2"] - r["x1"], r["m"], "the mlp's output added to the stream",
                      "on the mlp's c_proj output, before the residual add")
    elif place == "inside mlp":
        assert_close(r["g"], F.gelu(r["f"], approximate="tanh"), atol=1e-6,
                     what="GPT2(dropout=0.5).train(): the mlp's c_proj input vs GELU_tanh(c_fc(x))",
                     hint="GPT-2 has no dropout inside the mlp: c_proj(GELU_tanh(c_fc(x))), then dropout "
                          "on its output")
    else:
        B, T = idx.shape
        H, hd = CFG["n_head"], C // CFG["n_head"]
        q, k, v = (t.reshape(B, T, H, hd).transpose(1, 2) for t in r["qkv"].split(C, dim=-1))
        s = (q @ k.transpose(-2, -1) / hd ** 0.5).masked_fill(torch.ones(T, T, dtype=torch.bool).triu(1),
                                                              float("-inf"))
        undropped = (s.softmax(-1) @ v).transpose(1, 2).reshape(B, T, C)
        require(not torch.allclose(r["z"], undropped, atol=1e-4),
                "GPT2(dropout=0.5).train(): attention's output (c_proj's input) equals softmax(q k^T / "
                "sqrt(hd)) @ v exactly: the attention weights were not dropped\n  hint: dropout on the "
                "attention weights after the softmax (weights = dropout(softmax(scores))), or "
                "F.scaled_dot_product_attention(..., dropout_p=p if self.training else 0.0)")
        # token 0 attends to itself only: its one weight (1 after the softmax) is dropped to 0 or
        # kept as 2, so each head's output there is 0 or 2 v; a dropout on the scores, before the
        # softmax, leaves that weight at 1 (output v)
        first = r["z"][:, 0].reshape(B, H, hd)
        v0 = v[:, :, 0]
        dropped = first.abs().amax(-1) == 0
        assert_close(torch.where(dropped[..., None], 0.0, first), torch.where(dropped[..., None], 0.0, 2 * v0),
                     atol=1e-5, what="GPT2(dropout=0.5).train(): block 0's attention output at token 0 (which "
                     "sees only itself), per head: 0 or 2 v",
                     hint="dropout on the attention weights AFTER the softmax: a token's weights sum to 1, then "
                          "each is zeroed or scaled by 1 / (1 - p); dropping scores before the softmax "
                          "renormalises them away (token 0's single weight stays 1)")


def test_dropout_nowhere_else_in_training():
    """Between each LayerNorm and the Linear it feeds, and between the last block and ln_f,
    the contract has no dropout: those tensors pass through unchanged in train() mode."""
    model = load(tiny(dropout=0.5), FIXTURE["state_dict"])
    idx = torch.randint(0, V, (2, 8), generator=torch.Generator().manual_seed(9))
    rec, hooks = {}, []
    last = model.transformer.h[-1]
    pairs = (("ln_f's output", model.transformer.ln_f, "lm_head's input", model.lm_head),
             ("ln_1's output", last.ln_1, "c_attn's input", last.attn.c_attn),
             ("ln_2's output", last.ln_2, "c_fc's input", last.mlp.c_fc),
             ("the last block's output", last, "ln_f's input", model.transformer.ln_f))
    for src_name, src, dst_name, dst in pairs:
        hooks.append(src.register_forward_hook(  # tensors only (a block may return more), flattened
            lambda m, a, o, k=src_name: torch.is_tensor(o) and rec.__setitem__(k, o.detach().reshape(-1).clone())))
        hooks.append(dst.register_forward_pre_hook(
            lambda m, a, k=dst_name: a and torch.is_tensor(a[0])
            and rec.__setitem__(k, a[0].detach().reshape(-1).clone())))
    try:
        torch.manual_seed(0)
        with torch.no_grad():
            model.train()(idx)
    finally:
        for h in hooks:
            h.remove()
        model.eval()
    for src_name, _, dst_name, _ in pairs:
        if src_name not in rec or dst_name not in rec:
            pytest.skip(f"the spec observes dropout through hooks on the pinned modules ({src_name} / "
                        f"{dst_name} were not called as modules)")
        assert_close(rec[dst_name], rec[src_name], atol=0, rtol=0,
                     what=f"GPT2(dropout=0.5).train(): {dst_name} vs {src_name}",
                     hint="dropout only at the four places of the contract (embeddings, attention weights, "
                          "attn's and mlp's c_proj outputs): none after a LayerNorm, none after the last "
                          "block, none on ln_f's output before lm_head")


# ------------------------------------------------------------------------ generate: modes, edges, RNG

def grad_mode_spy(model):
    """Forward hooks on the pinned modules recording torch.is_grad_enabled() while they run."""
    seen, hooks = [], []
    for module in (model.transformer.wte, model.transformer.ln_f, model.lm_head, model.transformer.h[0]):
        hooks.append(module.register_forward_hook(lambda m, a, o: seen.append(torch.is_grad_enabled())))
    return seen, hooks


def test_generate_runs_without_gradients():
    model = loaded()
    prompt = FIXTURE["greedy"][0][0]
    seen, hooks = grad_mode_spy(model)
    try:
        _generate(model, prompt, 2, temperature=0)
    finally:
        for h in hooks:
            h.remove()
    out = _generate(model, prompt, 1, temperature=0)
    require(not out.is_inference(),
            "GPT2.generate returned an inference tensor (made under torch.inference_mode()): autograd "
            "refuses it later (model(sample) in a training step raises 'Inference tensors cannot be saved "
            "for backward')\n  hint: decorate generate with @torch.no_grad(), not @torch.inference_mode()")
    if not seen:
        pytest.skip("no pinned module was called as a module during generate")
    require(not any(seen),
            "GPT2.generate ran forward with gradients enabled: every step builds an autograd graph "
            "that nobody will use\n  hint: decorate generate with @torch.no_grad() (the caller's grad "
            "mode is restored when it returns)")


def test_generate_leaves_train_mode_alone():
    prompt, expected = FIXTURE["greedy"][0]
    model = loaded().train()  # dropout 0: train mode computes the same logits
    modes, hooks = [], []
    for module in (model, model.transformer.h[0], model.transformer.h[-1]):
        hooks.append(module.register_forward_pre_hook(lambda m, args: modes.append(m.training)))
    try:
        out = _generate(model, prompt, 3, temperature=0)
    finally:
        for h in hooks:
            h.remove()
    assert_close(out, expected[:, : prompt.shape[1] + 3], what="GPT2.train().generate(prompt, 3, temperature=0)",
                 hint=HINT_CROP)
    require(model.training and all(m.training for m in model.modules()),
            "GPT2.generate switched a train()-mode model (or one of its modules) to eval mode; the "
            "contract says generate does not change the mode: the caller calls model.eval() first")
    require(all(modes),
            f"GPT2.generate on a train()-mode model ran {modes.count(False)} of its {len(modes)} forward "
            f"calls (of the model or its blocks) in eval mode, then switched back: the contract says "
            f"generate does not change the mode, not even for the call's duration\n  hint: drop the "
            f"self.eval() / self.train(was_training) pair: the caller calls model.eval() first")


@pytest.mark.parametrize("temperature", [0, 0.0, 1e-3], ids=["int 0", "float 0.0", "tiny 1e-3"])
def test_temperature_zero_ignores_top_k(temperature):
    """temperature 0 is greedy whatever top_k is; temperature 1e-3 samples, but the reference's
    top-2 logit gaps (>= 0.04 on these steps) become >= 40 after the division: the top token has
    probability > 1 - 1e-16, so sampling gives the greedy continuation. Its logits reach ~1e4:
    exp without the max shift overflows to inf, and inf / inf is NaN (multinomial raises)."""
    prompt, expected = FIXTURE["greedy"][0]
    model = loaded()
    n = expected.shape[1] - prompt.shape[1]
    torch.manual_seed(3)
    what = f"GPT2.generate(prompt {tuple(prompt.shape)}, {n}, temperature={temperature!r}, top_k=5)"
    hint = ("temperature == 0 means greedy argmax whatever top_k is (check it before dividing "
            "by the temperature or sampling)")
    if temperature:
        hint = ("a tiny temperature divides the logits into the thousands: softmax them with torch.softmax, "
                "or subtract the row max before exp (exp(1e4) is inf in float32, and inf / inf is NaN)")
    try:
        out = _generate(model, prompt, n, temperature=temperature, top_k=5)
    except RuntimeError as err:
        raise SpecFailure(f"{what} raised RuntimeError: {str(err).splitlines()[0]}\n  hint: {hint}") from None
    assert_close(out, expected, what=what, hint=hint)


def test_zero_new_tokens_returns_idx():
    prompt = FIXTURE["greedy"][0][0]
    out = _generate(loaded(), prompt, 0, temperature=0)
    assert_close(out, prompt, what=f"GPT2.generate(prompt {tuple(prompt.shape)}, 0)",
                 hint="max_new_tokens=0: no step, return idx's tokens as they are (int64 (B, T))")


def test_top_k_at_least_vocab_size_keeps_every_logit():
    model, z = constant_logits_model()
    N = 4000
    torch.manual_seed(4)
    out = _generate(model, torch.zeros(N, 1, dtype=torch.long), 1, temperature=2.0, top_k=V + 4)
    freq = torch.bincount(out[:, 1], minlength=V).double() / N
    p = torch.softmax(z / 2.0, dim=0)
    sigma = (p * (1 - p) / N).sqrt()
    require(bool(((freq - p).abs() <= 5 * sigma + 2 / N).all()),
            f"GPT2.generate(..., temperature=2.0, top_k={V + 4}) with vocab_size={V}: the sampled "
            f"frequencies are not softmax(logits / 2)\n  hint: top_k >= vocab_size keeps every logit "
            f"(use min(top_k, vocab_size) in topk)")


def test_sampling_uses_the_global_rng():
    model, _ = constant_logits_model()
    prompt = torch.zeros(64, 1, dtype=torch.long)
    runs = []
    for seed in (5, 5, 6):
        torch.manual_seed(seed)
        runs.append(_generate(model, prompt, 3, temperature=2.0))
    require(torch.equal(runs[0], runs[1]),
            "GPT2.generate(..., temperature=2.0) gave different samples after the same "
            "torch.manual_seed(5)\n  hint: sample with torch.multinomial on the global RNG")
    require(not torch.equal(runs[0], runs[2]),
            "GPT2.generate(..., temperature=2.0) gave the same samples after torch.manual_seed(5) and "
            "torch.manual_seed(6): it ignores the global RNG (a private, fixed-seed generator?)\n  hint: "
            "torch.multinomial(probs, 1) without generator=, so torch.manual_seed controls it")
