"""Golden fixtures for specs/transformer/test_gpt2.py, from Hugging Face transformers' GPT-2.

    pip install -e ".[fixtures]"          # transformers==4.57.6, a dev-only extra
    python scripts/make_gpt2_fixtures.py  # writes specs/transformer/fixtures/gpt2_tiny.pt

Builds transformers.GPT2LMHeadModel with a tiny config whose sizes are all different (vocab 61,
32 positions, n_embd 24, 2 layers, 3 heads of 8) so that a transposed or mis-split weight cannot
hide behind equal sizes; fills every weight, bias and LayerNorm parameter with seeded random
values (nothing left at 0 or 1); converts the state_dict to the kata's nanoGPT-style names
(HF's Conv1D stores (in, out): transposed to nn.Linear's (out, in); the attn.bias/masked_bias
buffers dropped); and records, computed in float64 from the float32 weights:

    config        the kata's GPT2Config fields
    state_dict    the converted weights (float32); lm_head.weight is wte's tensor
    inputs        a few int64 batches; logits: the reference logits for each (float32)
    grad_input, grad_target, grads
                  a cross-entropy loss on one batch and d loss / d parameter, by kata name
    greedy        [(prompt, output)]: greedy decoding (argmax, context cropped to the last 32
                  tokens) step by step on the reference logits; each step's top-1 beats the
                  runner-up by a margin, so float32 rounding cannot flip it

The specs only load this file (torch.load(weights_only=True)); they never import transformers.
"""

from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F
import transformers
from transformers import GPT2Config, GPT2LMHeadModel

OUT = Path(__file__).resolve().parents[1] / "specs" / "transformer" / "fixtures" / "gpt2_tiny.pt"
CONFIG = dict(vocab_size=61, block_size=32, n_layer=2, n_head=3, n_embd=24, layer_norm_epsilon=1e-5)
CONV1D = ("attn.c_attn.weight", "attn.c_proj.weight", "mlp.c_fc.weight", "mlp.c_proj.weight")
MIN_MARGIN = 1e-2  # top-1 minus top-2 reference logit at every greedy step


def build_reference(seed: int = 0) -> GPT2LMHeadModel:
    hf_config = GPT2Config(vocab_size=CONFIG["vocab_size"], n_positions=CONFIG["block_size"],
                           n_embd=CONFIG["n_embd"], n_layer=CONFIG["n_layer"], n_head=CONFIG["n_head"],
                           layer_norm_epsilon=CONFIG["layer_norm_epsilon"], activation_function="gelu_new",
                           resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0, tie_word_embeddings=True,
                           attn_implementation="eager")
    model = GPT2LMHeadModel(hf_config).eval()
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():  # lm_head.weight is wte's: listed once
            noise = torch.randn(p.shape, generator=gen)
            if name.endswith(("ln_1.weight", "ln_2.weight", "ln_f.weight")):
                p.copy_(1.0 + 0.3 * noise)
            elif name.endswith("bias"):
                p.copy_(0.2 * noise)
            elif name.endswith(("wte.weight", "wpe.weight")):
                p.copy_(0.6 * noise)
            else:  # Conv1D (in, out): unit-variance outputs for unit-variance inputs
                p.copy_(noise / p.shape[0] ** 0.5)
    assert model.lm_head.weight is model.transformer.wte.weight
    return model


def convert_name(name: str) -> str | None:
    if name.endswith((".attn.bias", ".attn.masked_bias")):  # causal-mask buffers, not weights
        return None
    return name


def convert(tensors: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """HF GPT-2 names and Conv1D layout -> the kata's names and nn.Linear layout, float32."""
    out = {}
    for name, t in tensors.items():
        new = convert_name(name)
        if new is None:
            continue
        t = t.detach().to(torch.float32)
        out[new] = t.t().contiguous() if name.endswith(CONV1D) else t.contiguous()
    return out


def greedy(model: GPT2LMHeadModel, prompt: torch.Tensor, steps: int) -> tuple[torch.Tensor, float]:
    """Argmax decoding on the reference logits, cropping the context to block_size."""
    seq, margin = prompt, float("inf")
    for _ in range(steps):
        logits = model(seq[:, -CONFIG["block_size"]:]).logits[:, -1, :]
        top2 = logits.topk(2, dim=-1).values
        margin = min(margin, float((top2[:, 0] - top2[:, 1]).min()))
        seq = torch.cat([seq, logits.argmax(dim=-1, keepdim=True)], dim=1)
    return seq, margin


def main() -> None:
    torch.manual_seed(0)
    model = build_reference(seed=0)
    state_dict = convert(model.state_dict())
    state_dict["lm_head.weight"] = state_dict["transformer.wte.weight"]  # tied: one tensor
    model = model.double()

    gen = torch.Generator().manual_seed(1)
    V = CONFIG["vocab_size"]
    inputs = [torch.randint(0, V, (1, 1), generator=gen), torch.randint(0, V, (3, 7), generator=gen),
              torch.randint(0, V, (2, CONFIG["block_size"]), generator=gen)]
    with torch.no_grad():
        logits = [model(idx).logits.float() for idx in inputs]

    grad_input = torch.randint(0, V, (2, 9), generator=gen)
    grad_target = torch.randint(0, V, (2, 9), generator=gen)
    model.zero_grad()
    out = model(grad_input).logits
    F.cross_entropy(out.reshape(-1, V), grad_target.reshape(-1)).backward()
    grads = convert({n: p.grad for n, p in model.named_parameters()})  # wte's grad includes the head's

    cases = []
    with torch.no_grad():
        for shape, steps in (((2, 20), 16), ((1, 40), 3)):  # both cross block_size = 32
            for _ in range(100):
                prompt = torch.randint(0, V, shape, generator=gen)
                seq, margin = greedy(model, prompt, steps)
                if margin > MIN_MARGIN:
                    break
            else:
                raise RuntimeError("no prompt with clear greedy margins; change the seed")
            cases.append((prompt, seq))
            print(f"greedy prompt {tuple(shape)} + {steps}: smallest top-1 margin {margin:.3g}")

    fixture = {
        "source": f"transformers {transformers.__version__} GPT2LMHeadModel, scripts/make_gpt2_fixtures.py",
        "config": dict(CONFIG),
        "state_dict": state_dict,
        "inputs": inputs,
        "logits": logits,
        "grad_input": grad_input,
        "grad_target": grad_target,
        "grads": grads,
        "greedy": cases,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    torch.save(fixture, OUT)
    print(f"wrote {OUT} ({OUT.stat().st_size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
