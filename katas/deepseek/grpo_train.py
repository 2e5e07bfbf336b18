"""Day 32 — deepseek/grpo_train: a whole GRPO loop on a verifiable toy task.

deepseek/grpo gave you the loss; this kata trains a policy with it, DeepSeekMath's way
(arXiv 2402.03300, Algorithm 1): sample a GROUP of G answers per question from the policy,
score them with a checker (a verifiable reward, no reward model), turn the rewards into
group advantages, and take several gradient steps on the GRPO loss against the policy that
sampled (pi_old) and a frozen reference model (pi_ref, the KL term).

Given (below, complete; not part of your work):
    AdditionTask(n_digits=5): prompts "a+b=" as LongTensor rows (a, b), digits a, b in
        0 .. n_digits - 1; the answer is ONE token, the sum a + b in 0 .. n_answers - 1
        (n_answers = 2 * n_digits - 1 = 9).
        sample_prompts(n, generator=None) -> (n, 2) long, uniform digits.
        reward(prompts (N, 2), answers (N,)) -> (N,) float32: 1.0 where answer == a + b, else
        0.0 (the checker).
    TinyPolicy(n_digits=5, hidden=32): forward(prompts (N, 2)) -> (N, n_answers) logits.
        Its head starts at zero, so a fresh policy is uniform: chance reward 1/9.
    StepStats(reward, kl, loss): a frozen dataclass of three Python floats.

Write:
    grpo_train(policy, reference, optimizer, task, *, steps, prompts_per_step, group_size,
               inner_updates, clip_eps=0.2, beta=0.04, generator=None, on_step=None)
        -> list[StepStats], one per step, in order.
        policy: the model to train (anything called like TinyPolicy); optimizer: built by the
        caller over policy's parameters only; reference: pi_ref, a frozen copy of the initial
        policy made by the caller (copy.deepcopy(policy)): only read, always under
        torch.no_grad(); its parameters (values and requires_grad: no requires_grad_(False),
        torch.no_grad() is enough), their .grad and its train/eval mode never change. It
        is NOT pi_old: never copy the policy into it, never step it.
        P = prompts_per_step, G = group_size, N = P * G. Each step is ONE sampling stage:
        1. prompts = task.sample_prompts(P, generator)                    (P, 2)
        2. Under torch.no_grad(): sample G answers per prompt from the CURRENT policy:
               torch.multinomial(softmax(policy(prompts), -1), G, replacement=True,
                                 generator=generator)                    (P, G)
           (sampling, never argmax). Flatten group-major: completion p * G + i is answer i of
           prompt p; its prompt row is prompts.repeat_interleave(G, dim=0)   (N, 2).
        3. rewards = task.reward(prompts_N, answers_N): ONE call per step, on all N
           completions, one reward per completion.
        4. advantages = group_advantages(rewards.view(P, G)).reshape(-1)     (N,): each
           completion against ITS OWN group's G rewards (your deepseek/grpo kata; never the
           mean and std of the whole batch).
        5. Under torch.no_grad(), once per step: logp_old = log pi_old(answer | prompt) from
           the policy as it is NOW (it sampled the answers), logp_ref = the same under the
           reference; both (N, 1) (T = 1: the completion is a single token), no graph.
           logp_old is KEPT for all the inner updates of this step (never recomputed).
        6. inner_updates times: logp = log_softmax(policy(prompts_N), -1) at the answers,
           (N, 1) with grad, recomputed from the policy as it is at this update;
           loss = grpo_loss(logp, logp_old, logp_ref, advantages, mask, clip_eps, beta) with
           mask = torch.ones(N, 1, dtype=torch.bool); optimizer.zero_grad(); loss.backward();
           optimizer.step(). On the first inner update logp == logp_old: the ratio is 1.
        Call group_advantages and grpo_loss by the names imported below (the specs watch
        those calls).
        StepStats of the step: reward = rewards.mean() (the mean reward of the N sampled
        completions); kl = the mean over the N completions of the deepseek/grpo estimator
        exp(d) - d - 1 with d = logp_ref - logp_old (KL(pi_old || pi_ref) at sampling time,
        before this step's updates); loss = the mean of the inner updates' loss values.
        on_step: None, or called as on_step(step, stats) after each step (step from 0).
        generator: a torch.Generator for every random draw (prompts and answers), or None for
        torch's global generator: the same seed and the same initial models give the same run.
        steps = 0 returns [] and calls nothing. ValueError naming the argument when
        steps < 0, prompts_per_step < 1, group_size < 2 (one answer has no group to be
        compared with) or inner_updates < 1, checked before anything else (steps = 0
        with group_size = 1 raises too).
        The policy is used in whatever mode it is in (TinyPolicy has no dropout).

    sparkline(values) -> str: the curve as one line of the 8 blocks "▁▂▃▄▅▆▇█" (U+2581 to
        U+2588), one character per value. values: any iterable of real numbers (floats,
        ints, a 1-D tensor). [min, max] is cut into 8 equal bins, the max in the top bin:
        index = min(int((v - min) / (max - min) * 8), 7); sparkline([0, 0.5, 1]) == "▁▅█".
        Empty -> "". All values equal -> "▁" for each. A NaN or an infinity -> ValueError.

    plot_rewards(stats, path) -> None: saves a PNG of the reward (and KL) per step with
        matplotlib (backend "Agg": no display needed). Without matplotlib it raises
        ImportError with a message saying "pip install matplotlib".

Train it yourself once it passes:  python -m katas.deepseek.grpo_train
(40 steps of 16 prompts x 8 answers: the reward climbs from 0.11 to about 0.8 in well under
a second; printed per step, then as a sparkline.)

Off limits: none.
Run: pytest katas/deepseek/grpo_train.py
"""

import copy
from dataclasses import dataclass

import torch
from torch import nn

from katas.deepseek.grpo import group_advantages, grpo_loss  # noqa: F401 (your deepseek/grpo)


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
    """Logits over the answers from the two digits; starts uniform (zero head)."""

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
    reward: float  # mean reward of the step's N sampled completions
    kl: float  # mean KL estimate to the reference, at sampling time
    loss: float  # mean of the step's inner-update losses


def grpo_train(policy, reference, optimizer, task, *, steps, prompts_per_step, group_size,
               inner_updates, clip_eps=0.2, beta=0.04, generator=None, on_step=None):
    """Train policy with GRPO for `steps` sampling stages; one StepStats per step."""
    raise NotImplementedError


def sparkline(values) -> str:
    """One block character per value, min .. max onto "▁▂▃▄▅▆▇█"."""
    raise NotImplementedError


def plot_rewards(stats, path) -> None:
    """A PNG of the reward and KL per step (needs matplotlib)."""
    raise NotImplementedError


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
