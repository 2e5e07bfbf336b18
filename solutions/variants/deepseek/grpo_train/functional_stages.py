"""The loop split into a sampling stage (a frozen batch as a dict) and an update step;
log-probs through F.cross_entropy (-CE of the answer is its log-prob); sparkline by bisect."""

import bisect
import math

import torch
import torch.nn.functional as F

from solutions.deepseek.grpo_train import (AdditionTask, StepStats, TinyPolicy,  # noqa: F401
                                           plot_rewards)
from katas.deepseek.grpo import group_advantages, grpo_loss

BLOCKS = "▁▂▃▄▅▆▇█"


def _logp(model, prompts, answers):
    return -F.cross_entropy(model(prompts), answers, reduction="none").unsqueeze(1)


@torch.no_grad()
def _sample_stage(policy, reference, task, P, G, generator):
    prompts = task.sample_prompts(P, generator)
    probs = F.softmax(policy(prompts), dim=-1)
    answers = torch.multinomial(probs, G, replacement=True, generator=generator).flatten()
    prompts = torch.repeat_interleave(prompts, G, dim=0)
    rewards = task.reward(prompts, answers)
    return dict(prompts=prompts, answers=answers, rewards=rewards,
                advantages=group_advantages(rewards.reshape(P, G)).flatten(),
                old=_logp(policy, prompts, answers), ref=_logp(reference, prompts, answers))


def grpo_train(policy, reference, optimizer, task, *, steps, prompts_per_step, group_size,
               inner_updates, clip_eps=0.2, beta=0.04, generator=None, on_step=None):
    checks = dict(steps=(steps, 0), prompts_per_step=(prompts_per_step, 1),
                  group_size=(group_size, 2), inner_updates=(inner_updates, 1))
    for name, (value, least) in checks.items():
        if value < least:
            raise ValueError(f"grpo_train: {name}={value}, needs {name} >= {least}")
    out = []
    for step in range(steps):
        b = _sample_stage(policy, reference, task, prompts_per_step, group_size, generator)
        mask = torch.ones(b["answers"].shape[0], 1, dtype=torch.bool)
        total = 0.0
        for _ in range(inner_updates):
            loss = grpo_loss(_logp(policy, b["prompts"], b["answers"]), b["old"], b["ref"],
                             b["advantages"], mask, clip_eps, beta)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item()
        d = (b["ref"] - b["old"]).double()
        stats = StepStats(float(b["rewards"].mean()), float((d.exp() - d - 1).mean()),
                          total / inner_updates)
        out.append(stats)
        if on_step:
            on_step(step, stats)
    return out


def sparkline(values):
    xs = [float(v) for v in values]
    if any(not math.isfinite(x) for x in xs):
        raise ValueError("sparkline: NaN or infinite value")
    if not xs:
        return ""
    lo, hi = min(xs), max(xs)
    if lo == hi:
        return "▁" * len(xs)
    # bin k holds fractions in [k/8, (k+1)/8); the top value goes into bin 7
    edges = [k / 8 for k in range(1, 8)]
    return "".join(BLOCKS[bisect.bisect_right(edges, (x - lo) / (hi - lo))] for x in xs)
