"""Golden fixture for specs/deepseek/test_math.py: Hugging Face's LlamaForCausalLM (the
architecture of DeepSeekMath-7B) on tiny configs.

    pip install -e ".[fixtures]"          # transformers, pinned
    python scripts/make_math_fixtures.py  # writes specs/deepseek/fixtures/math_tiny.pt

Three tiny configs share every weight whose shape allows it: "gqa" (4 query heads, 2 KV heads:
grouped-query attention), "mha" (4 and 4, like DeepSeekMath-7B) and "mqa" (4 and 1). All use
rope_theta 500 (not the default 10000, so a model that ignores the theta fails), rms_norm_eps
1e-6, an untied lm_head, no biases. The weights are seeded random values rounded to float16 (so
the file is small and every implementation reads the same numbers); HF runs in float64 with
attn_implementation="eager" (its RMSNorm, RoPE tables and softmax still work in float32, so the
logits carry float32 accuracy: the specs compare at 1e-4).

Cases (each: config name, config changes, input_ids, position_ids or None, logits):
- default positions (0 .. T-1), batch 2, for each config, and one single token (1, 1);
- explicit position_ids with gaps, different per row (RoPE depends only on differences, so
  positions shifted by a constant would change nothing: gaps do). Positions only rotate: the
  mask stays plainly causal. (HF is given an all-ones attention_mask for that: without one,
  transformers 4.57 reads a jump in position_ids as the start of a packed sequence.)
- the same ids with rope_theta 10000 and with rms_norm_eps 0.25 (same weights), so a model
  that ignores either field fails;
- for the first case also layer 0's input and output, its attention's input (after
  input_layernorm) and output, and the final hidden states (after the last RMSNorm), for the
  Attention, DecoderLayer and DeepSeekMathModel specs.

The specs only load this file (torch.load(weights_only=True)); they never import transformers.
"""

from __future__ import annotations

from pathlib import Path

import torch
import transformers
from transformers import LlamaConfig, LlamaForCausalLM

from fixture_packing import pack_state_dicts  # scripts/ is on sys.path when run as a script

OUT = Path(__file__).resolve().parents[1] / "specs" / "deepseek" / "fixtures" / "math_tiny.pt"

BASE = dict(vocab_size=67, hidden_size=32, intermediate_size=40, num_hidden_layers=2,
            num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=48,
            rms_norm_eps=1e-6, rope_theta=500.0)
CONFIGS = {
    "gqa": dict(BASE),
    "mha": dict(BASE, num_key_value_heads=4),
    "mqa": dict(BASE, num_key_value_heads=1),
}


def hf_model(cfg: dict) -> LlamaForCausalLM:
    config = LlamaConfig(**cfg, hidden_act="silu", tie_word_embeddings=False, attention_bias=False,
                         mlp_bias=False, attention_dropout=0.0, rope_scaling=None, pretraining_tp=1,
                         pad_token_id=None, bos_token_id=0, eos_token_id=1,
                         attn_implementation="eager")
    config._attn_implementation = "eager"
    return LlamaForCausalLM(config).eval()


def random_weights(model, gen: torch.Generator) -> dict[str, torch.Tensor]:
    """Seeded random values for every entry of model's state_dict, rounded to float16."""
    out = {}
    for name, t in model.state_dict().items():
        noise = torch.randn(t.shape, generator=gen)
        if name.endswith("norm.weight"):            # every RMSNorm scale
            value = 1.0 + 0.3 * noise
        elif name.endswith("embed_tokens.weight"):
            value = noise
        else:                                       # Linear (out, in)
            value = noise / t.shape[1] ** 0.5
        out[name] = value.half()
    return out


def run(cfg: dict, weights: dict, ids: torch.Tensor, position_ids=None, record=False):
    """HF logits (float32) for ids, in float64; with record, layer 0's and its attention's
    inputs and outputs and the final hidden states too."""
    model = hf_model(cfg)
    model.load_state_dict({k: v.float() for k, v in weights.items()}, strict=True)
    model = model.double()
    seen = {}
    if record:
        def hook(module, args, kwargs, output):
            seen["layer0_in"] = (args[0] if args else kwargs["hidden_states"]).float()
            seen["layer0_out"] = (output[0] if isinstance(output, tuple) else output).float()
        def attn_hook(module, args, kwargs, output):
            seen["attn0_in"] = (args[0] if args else kwargs["hidden_states"]).float()
            seen["attn0_out"] = output[0].float()
        handle = model.model.layers[0].register_forward_hook(hook, with_kwargs=True)
        attn_handle = model.model.layers[0].self_attn.register_forward_hook(attn_hook, with_kwargs=True)
    # an explicit all-ones attention_mask: without one, transformers 4.57 reads every jump in
    # position_ids as the start of a packed sequence and masks attention across it
    mask = torch.ones_like(ids)
    with torch.no_grad():
        out = model(ids, attention_mask=mask, position_ids=position_ids, use_cache=False)
        if record:
            handle.remove()
            attn_handle.remove()
            seen["hidden"] = model.model(ids, attention_mask=mask, position_ids=position_ids,
                                         use_cache=False).last_hidden_state.float()
    return out.logits.float(), seen


def main() -> None:
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(1919)
    weights = {}
    for name, cfg in CONFIGS.items():
        fresh = random_weights(hf_model(cfg), gen)
        keys = sorted(fresh)
        assert "lm_head.weight" in keys and not any("rotary" in k for k in keys), keys
        if "gqa" in weights:   # share every tensor whose name and shape agree with gqa's
            fresh = {k: (weights["gqa"][k] if weights["gqa"][k].shape == v.shape else v)
                     for k, v in fresh.items()}
        weights[name] = fresh

    inputs = torch.Generator().manual_seed(7)
    V, P = BASE["vocab_size"], BASE["max_position_embeddings"]
    ids_2x9 = torch.randint(0, V, (2, 9), generator=inputs)
    gaps = torch.stack([torch.randperm(P, generator=inputs)[:9].sort().values for _ in range(2)])
    cases = []

    def add(config, ids, position_ids=None, changes=None, record=False, note=""):
        cfg = dict(CONFIGS[config], **(changes or {}))
        logits, seen = run(cfg, weights[config], ids, position_ids, record)
        case = {"config": config, "changes": dict(changes or {}), "input_ids": ids,
                "position_ids": position_ids, "logits": logits, "note": note}
        case.update(seen)
        cases.append(case)
        return logits

    base = add("gqa", ids_2x9, record=True, note="default positions 0..8")
    add("gqa", ids_2x9, gaps, note="explicit position_ids with gaps, one row each")
    theta = add("gqa", ids_2x9, changes={"rope_theta": 10000.0}, note="rope_theta 10000")
    eps = add("gqa", ids_2x9, changes={"rms_norm_eps": 0.25}, note="rms_norm_eps 0.25")
    add("gqa", torch.randint(0, V, (1, 1), generator=inputs), note="one token")
    add("mha", torch.randint(0, V, (2, 7), generator=inputs), note="num_key_value_heads = heads")
    add("mqa", torch.randint(0, V, (1, 8), generator=inputs), note="one KV head")

    # the variants must differ from the base case far beyond the specs' tolerance (1e-4)
    shifted = run(CONFIGS["gqa"], weights["gqa"], ids_2x9, gaps)[0]
    print("gaps vs default:", float((shifted - base).abs().max()))
    print("theta 10000 vs 500:", float((theta - base).abs().max()))
    print("eps 0.25 vs 1e-6:", float((eps - base).abs().max()))
    uniform = run(CONFIGS["gqa"], weights["gqa"], ids_2x9, torch.arange(5, 14).expand(2, 9))[0]
    print("positions 5..13 vs 0..8 (RoPE is relative: ~0):", float((uniform - base).abs().max()))
    for a, b in ((shifted, base), (theta, base), (eps, base)):
        assert float((a - b).abs().max()) > 0.05

    fixture = {"source": f"transformers {transformers.__version__} LlamaForCausalLM, eager, float64; "
                         "scripts/make_math_fixtures.py",
               "configs": CONFIGS, "state_dicts": {}, "cases": cases}
    # one float16 buffer holding every distinct tensor once; the state dicts are views into it
    fixture["state_dicts"], n_weights = pack_state_dicts(weights)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    torch.save(fixture, OUT)
    print(f"wrote {OUT} ({OUT.stat().st_size / 1024:.0f} KiB; {n_weights} float16 weights, {len(cases)} cases)")


if __name__ == "__main__":
    main()
