"""The reference frozen with reference.requires_grad_(False) inside grpo_train: the
reference belongs to the caller, and its parameters come back with requires_grad off (a
caller who later trains or compares it finds it silently frozen).

Fix: only read the reference, under torch.no_grad(); change none of its flags.
"""

import copy
import math
from dataclasses import dataclass

import torch
from torch import nn

from katas.deepseek.grpo import group_advantages, grpo_loss

BLOCKS = "▁▂▃▄▅▆▇█"


class _AdditionTask:
    """Prompts (a, b) with digits a, b in 0 .. n_digits - 1; the answer is the token a + b."""

    def __init__(self, n_digits: int = 5):
        self.n_digits = n_digits
        self.n_answers = 2 * n_digits - 1

    def sample_prompts(self, n: int, generator=None) -> torch.Tensor:
        return torch.randint(0, self.n_digits, (n, 2), generator=generator)

    def reward(self, prompts: torch.Tensor, answers: torch.Tensor) -> torch.Tensor:
        return (answers == prompts.sum(dim=-1)).to(torch.float32)


class _TinyPolicy(nn.Module):
    """logits over the answers from the two digits; starts uniform (zero head)."""

    def __init__(self, n_digits: int = 5, hidden: int = 32):
        super().__init__()
        self.embed_a = nn.Embedding(n_digits, hidden)
        self.embed_b = nn.Embedding(n_digits, hidden)
        self.mlp = nn.Sequential(nn.Linear(hidden, hidden), nn.Tanh())
        self.head = nn.Linear(hidden, 2 * n_digits - 1)
        nn.init.zeros_(self.head.weight)
        nn.init.zeros_(self.head.bias)

    def forward(self, prompts: torch.Tensor) -> torch.Tensor:
        h = self.embed_a(prompts[:, 0]) + self.embed_b(prompts[:, 1])
        return self.head(self.mlp(h))


# given: public names of the two classes above (written privately so that the stub check
# only sees your functions)
AdditionTask = _AdditionTask
TinyPolicy = _TinyPolicy


@dataclass(frozen=True)
class StepStats:
    reward: float
    kl: float
    loss: float


def answer_logp(model, prompts, answers):
    """(N, 1) log-probs of the answer tokens under model."""
    logp = torch.log_softmax(model(prompts), dim=-1)
    return logp.gather(-1, answers[:, None])


def grpo_train(policy, reference, optimizer, task, *, steps, prompts_per_step, group_size,
               inner_updates, clip_eps=0.2, beta=0.04, generator=None, on_step=None):
    for name, value, least in [("steps", steps, 0), ("prompts_per_step", prompts_per_step, 1),
                               ("group_size", group_size, 2), ("inner_updates", inner_updates, 1)]:
        if value < least:
            raise ValueError(f"{name} must be >= {least}, got {value}")
    P, G = prompts_per_step, group_size
    reference.requires_grad_(False)
    history = []
    for step in range(steps):
        # one sampling stage: the current policy is pi_old for all the updates below
        prompts = task.sample_prompts(P, generator)
        with torch.no_grad():
            probs = torch.softmax(policy(prompts), dim=-1)
            answers = torch.multinomial(probs, G, replacement=True, generator=generator)
            prompts = prompts.repeat_interleave(G, dim=0)  # (P*G, 2), group-major
            answers = answers.reshape(-1)  # (P*G,)
            rewards = task.reward(prompts, answers)
            advantages = group_advantages(rewards.view(P, G)).reshape(-1)
            logp_old = answer_logp(policy, prompts, answers)
            logp_ref = answer_logp(reference, prompts, answers)
        mask = torch.ones_like(logp_old, dtype=torch.bool)
        losses = []
        for _ in range(inner_updates):
            logp = answer_logp(policy, prompts, answers)
            loss = grpo_loss(logp, logp_old, logp_ref, advantages, mask, clip_eps, beta)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        log_ratio = logp_ref - logp_old
        kl = (torch.exp(log_ratio) - log_ratio - 1).mean().item()
        stats = StepStats(reward=rewards.mean().item(), kl=kl, loss=sum(losses) / len(losses))
        history.append(stats)
        if on_step is not None:
            on_step(step, stats)
    return history


def sparkline(values) -> str:
    values = [float(v) for v in values]
    if not all(math.isfinite(v) for v in values):
        raise ValueError("sparkline: every value must be finite")
    if not values:
        return ""
    lo, hi = min(values), max(values)
    if hi == lo:
        return BLOCKS[0] * len(values)
    return "".join(BLOCKS[min(int((v - lo) / (hi - lo) * 8), 7)] for v in values)


def plot_rewards(stats, path) -> None:
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as err:
        raise ImportError("plot_rewards needs matplotlib: pip install matplotlib "
                          "(sparkline(...) works without it)") from err
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.plot([s.reward for s in stats], label="mean reward")
    ax.plot([s.kl for s in stats], label="KL to the reference")
    ax.set_xlabel("step")
    ax.legend()
    fig.savefig(path)
    plt.close(fig)


def _demo(steps=40, seed=0, png=None):
    """Train a TinyPolicy on AdditionTask, print each step and the reward sparkline."""
    torch.manual_seed(seed)
    policy = TinyPolicy()
    reference = copy.deepcopy(policy)
    optimizer = torch.optim.Adam(policy.parameters(), lr=0.02)
    generator = torch.Generator().manual_seed(seed)

    def show(step, s):
        print(f"step {step:3d}  reward {s.reward:.3f}  kl {s.kl:.3f}  loss {s.loss:+.4f}")

    stats = grpo_train(policy, reference, optimizer, AdditionTask(), steps=steps,
                       prompts_per_step=16, group_size=8, inner_updates=4, beta=0.04,
                       generator=generator, on_step=show)
    print("reward", sparkline([s.reward for s in stats]))
    print("kl    ", sparkline([s.kl for s in stats]))
    if png is not None:
        try:
            plot_rewards(stats, png)
            print("saved", png)
        except ImportError as err:
            print(err)
    return stats


if __name__ == "__main__":
    _demo(png="grpo_rewards.png")
