"""Specs for katas/deepseek/grpo_train.py (day 32): grpo_train, sparkline, plot_rewards.

The loop is observed from outside: a recording task (its reward calls), a spy in place of
grpo_loss (its arguments, its value, and a snapshot of the policy at each call), and the
spec's own recomputation of every log-prob from those snapshots with the given TinyPolicy.
The advantages are recomputed here from the recorded rewards with the formula of
deepseek/grpo (per group, unbiased std, eps 1e-4). Learning levels are calibrated on the
reference solution over seeds 0-5 (chance 1/9; the mean reward of the last 5 steps reaches
0.72-0.92 with beta 0.04; with beta 1 the KL peaks at 0.52-0.57), with wide margins (>= 0.4,
< 0.8); the two variants pass the same specs.

Contract-to-spec map:
- sampling stage: P prompts, G answers each from the current policy (multinomial, not
  argmax), group-major, one reward call on all N: test_one_reward_call_per_step_*,
  test_answers_are_sampled_*, test_answers_come_from_the_policy
- advantages per group: test_advantages_are_per_group
- logp_old once per step, no graph, kept; ratio 1 on the first update; logp recomputed with
  grad: test_old_logp_*, test_logp_is_recomputed_*; zero_grad, backward, step in that order
  (stale caller grads, no accumulation): test_each_update_steps_on_the_gradient_of_its_own_loss
- the policy's mode left as it is (train and eval): test_reference_is_frozen_*, test_on_step_*
- reference frozen, only read (values, .grad, requires_grad, mode), logp_ref from it: test_reference_*
- grpo_loss arguments (mask, clip_eps, beta incl. an explicit 0.0, shapes), inner_updates calls:
  test_grpo_loss_gets_*
- StepStats (reward, kl, loss) and on_step (called during the run, after each step):
  test_step_stats_*, test_on_step_*
- generator/determinism: test_same_seed_same_run, test_generator_is_used; generator=None is
  torch's global generator: test_no_generator_draws_from_the_global_generator
- learning: reward rises from chance (seeds 0, 1), KL bounded with a strong KL term:
  test_reward_rises_from_chance, test_kl_stays_bounded_with_a_strong_kl_term
- steps = 0, ValueErrors (checked first, with steps = 0 too): test_zero_steps_*, test_bad_arguments_*
- sparkline (incl. 0 .. 1 by 0.1: int(x * 8), not round; ints 1e8 .. 1e8 + 2, equal in float32;
  a one-shot generator, all-infinite values): test_sparkline_*; plot_rewards: test_plot_rewards_*
"""

import copy
import math
import sys

import pytest
import torch

import katas.deepseek.grpo as grpo_kata
import katas.deepseek.grpo_train as kata
from harness.checks import SpecFailure, assert_close
from katas.deepseek.grpo_train import (AdditionTask, StepStats, TinyPolicy, grpo_train,
                                       plot_rewards, sparkline)

HINT_STAGE = ("one sampling stage per step: prompts = task.sample_prompts(P, generator); under "
              "torch.no_grad() answers = torch.multinomial(softmax(policy(prompts), -1), G, "
              "replacement=True, generator=generator); prompts_N = prompts.repeat_interleave(G, "
              "dim=0), answers_N = answers.reshape(-1); rewards = task.reward(prompts_N, answers_N)")
HINT_ADV = ("advantages = group_advantages(rewards.view(P, G)).reshape(-1): each completion is "
            "compared with the other answers to ITS prompt, never with the whole batch")
HINT_OLD = ("compute logp_old ONCE per step, under torch.no_grad(), from the policy that sampled "
            "(before any update of the step), and pass that same tensor to every inner update; "
            "only logp is recomputed (with grad) at each update")
HINT_REF = ("the reference is pi_ref, a frozen copy of the INITIAL policy: logp_ref = its "
            "log-probs of the answers under torch.no_grad(); never copy the policy into it, "
            "never use the policy (or pi_old) in its place")
HINT_STATS = ("StepStats(reward=rewards.mean(), kl=mean of exp(d) - d - 1 with d = logp_ref - "
              "logp_old, loss=mean of the step's inner losses), as Python floats")

P, G, INNER, STEPS = 3, 4, 3, 3


class RecordingTask(AdditionTask):
    def __init__(self):
        super().__init__()
        self.calls = []

    def reward(self, prompts, answers):
        out = super().reward(prompts, answers)
        self.calls.append((prompts.clone(), answers.clone(), out.clone()))
        return out


def answer_logp(state, prompts, answers):
    model = TinyPolicy()
    model.load_state_dict(state)
    with torch.no_grad():
        return torch.log_softmax(model(prompts), -1).gather(-1, answers[:, None])


def expected_advantages(rewards, groups):
    r = rewards.double().view(groups, -1)
    return ((r - r.mean(-1, keepdim=True)) / (r.std(-1, keepdim=True) + 1e-4)).reshape(-1)


class RecordingSGD(torch.optim.SGD):
    """SGD that keeps a copy of every parameter's .grad at each step()."""

    def __init__(self, params, lr):
        self.params = list(params)
        super().__init__(self.params, lr=lr)
        self.grads_at_step = []

    def step(self, closure=None):
        self.grads_at_step.append([None if p.grad is None else p.grad.clone() for p in self.params])
        return super().step(closure)


def spied_run(monkeypatch, *, steps=STEPS, seed=0, policy=None, clip_eps=0.3, beta=0.1,
              stale_grads=False):
    """stale_grads: the policy starts with .grad left over from the caller's last backward, and
    each call records the gradient of its own loss (own_grads) next to what step() saw."""
    torch.manual_seed(seed)
    policy = policy if policy is not None else TinyPolicy()
    reference = copy.deepcopy(policy)
    ref_state = copy.deepcopy(reference.state_dict())
    task = RecordingTask()
    optimizer = RecordingSGD(policy.parameters(), lr=0.5)
    if stale_grads:
        for p in policy.parameters():
            p.grad = torch.full_like(p, 100.0)
    real_loss = grpo_kata.grpo_loss
    loss_calls = []

    def spy(logp, logp_old, logp_ref, advantages, mask, clip_eps=0.2, beta=0.04):
        out = real_loss(logp, logp_old, logp_ref, advantages, mask, clip_eps, beta)
        own = (torch.autograd.grad(out, optimizer.params, retain_graph=True, allow_unused=True)
               if stale_grads else None)
        loss_calls.append(dict(logp=logp, logp_old=logp_old, logp_ref=logp_ref,
                               advantages=advantages, mask=mask, clip_eps=clip_eps, beta=beta,
                               out=float(out.detach()), state=copy.deepcopy(policy.state_dict()),
                               n_rewards=len(task.calls), own_grads=own))
        return out

    # every module that holds the learner's grpo_loss by name (the kata, deepseek/grpo, and a
    # module the kata's grpo_train comes from) calls the spy instead
    for module in list(sys.modules.values()):
        if getattr(module, "grpo_loss", None) is real_loss:
            monkeypatch.setattr(module, "grpo_loss", spy)
    stats = grpo_train(policy, reference, optimizer, task, steps=steps, prompts_per_step=P,
                       group_size=G, inner_updates=INNER, clip_eps=clip_eps, beta=beta,
                       generator=torch.Generator().manual_seed(seed))
    return dict(stats=stats, task=task, calls=loss_calls, reference=reference,
                ref_state=ref_state, policy=policy, grads_at_step=optimizer.grads_at_step)


WHAT = (f"grpo_train(TinyPolicy(), reference, SGD(lr=0.5), task, steps={STEPS}, "
        f"prompts_per_step={P}, group_size={G}, inner_updates={INNER}, clip_eps=0.3, beta=0.1)")


@pytest.fixture
def run(monkeypatch):
    return spied_run(monkeypatch)


def stage(run, step):
    """(prompts, answers, rewards) of the step and its grpo_loss calls."""
    prompts, answers, rewards = run["task"].calls[step]
    return prompts, answers, rewards, run["calls"][step * INNER:(step + 1) * INNER]


# ------------------------------------------------------------------ the sampling stage

def test_one_reward_call_per_step_on_groups_of_g(run):
    calls = run["task"].calls
    if len(calls) != STEPS:
        raise SpecFailure(f"{WHAT}: task.reward was called {len(calls)} times, expected "
                          f"{STEPS} (once per step, on all N = P * G completions)\n  hint: {HINT_STAGE}")
    for step, (prompts, answers, rewards) in enumerate(calls):
        if tuple(prompts.shape) != (P * G, 2) or tuple(answers.shape) != (P * G,):
            raise SpecFailure(f"{WHAT}: step {step} scored prompts {tuple(prompts.shape)} and "
                              f"answers {tuple(answers.shape)}, expected ({P * G}, 2) and "
                              f"({P * G},): G answers for each of the P prompts\n  hint: {HINT_STAGE}")
        groups = prompts.view(P, G, 2)
        if not bool((groups == groups[:, :1]).all()):
            raise SpecFailure(f"{WHAT}: step {step} scored prompt rows {prompts.tolist()}; rows "
                              f"p * G .. p * G + G - 1 must be the same prompt (group-major, "
                              f"prompts.repeat_interleave(G, dim=0))\n  hint: {HINT_STAGE}")
    # the calls to grpo_loss of step s come after its reward call and before the next one
    seen = [c["n_rewards"] for c in run["calls"]]
    expected = [s + 1 for s in range(STEPS) for _ in range(INNER)]
    if seen != expected:
        raise SpecFailure(f"{WHAT}: the reward calls made before each grpo_loss call were "
                          f"{seen}, expected {expected}: one sampling stage (one reward call), "
                          f"then inner_updates updates\n  hint: {HINT_STAGE}")


def test_answers_are_sampled_not_argmax(run):
    # the fresh policy is uniform over 9 answers: G = 4 equal answers in every group would be a
    # 1 in 729**P event for a sampler, certain for an argmax
    _, answers, _ = run["task"].calls[0]
    groups = answers.view(P, G)
    if bool((groups == groups[:, :1]).all()):
        raise SpecFailure(f"{WHAT}: at step 0 (a uniform policy) every group's {G} answers "
                          f"are identical: {groups.tolist()}; the answers are SAMPLED\n  hint: "
                          f"{HINT_STAGE}")


def test_answers_come_from_the_policy(monkeypatch):
    policy = TinyPolicy()
    with torch.no_grad():
        policy.head.bias[3] = 50.0  # answer 3 has probability 1 (to float32 precision)
    run = spied_run(monkeypatch, steps=1, policy=policy)
    _, answers, _ = run["task"].calls[0]
    if not bool((answers == 3).all()):
        raise SpecFailure(f"grpo_train(policy that gives answer 3 probability 1, ...): sampled "
                          f"answers {answers.tolist()}; sample from the policy's softmax\n  hint: "
                          f"{HINT_STAGE}")


def test_advantages_are_per_group(run):
    for step in range(STEPS):
        _, _, rewards, calls = stage(run, step)
        expected = expected_advantages(rewards, P)
        for k, c in enumerate(calls):
            adv = c["advantages"].detach().double().reshape(-1)
            assert_close(adv, expected, rtol=1e-5, atol=1e-6,
                         what=f"{WHAT}: the advantages given to grpo_loss at step {step}, inner "
                              f"update {k}, for rewards {rewards.view(P, G).tolist()}", hint=HINT_ADV)


# ------------------------------------------------------------------- old and ref log-probs

def test_old_logp_is_computed_once_per_step_and_kept(run):
    for step in range(STEPS):
        prompts, answers, _, calls = stage(run, step)
        expected = answer_logp(calls[0]["state"], prompts, answers)
        for k, c in enumerate(calls):
            old = c["logp_old"]
            if old.requires_grad:
                raise SpecFailure(f"{WHAT}: logp_old at step {step}, update {k} carries a graph "
                                  f"(requires_grad); compute it under torch.no_grad()\n  hint: {HINT_OLD}")
            assert_close(old.reshape(-1, 1), expected, rtol=1e-5, atol=1e-6,
                         what=f"{WHAT}: logp_old at step {step}, inner update {k} (the policy "
                              f"that sampled, before the step's first update)", hint=HINT_OLD)


def test_old_logp_gives_ratio_one_on_the_first_update(run):
    for step in range(STEPS):
        _, _, _, calls = stage(run, step)
        c = calls[0]
        if not torch.equal(c["logp"].detach(), c["logp_old"].detach()):
            raise SpecFailure(f"{WHAT}: at step {step}'s first inner update logp != logp_old "
                              f"(max diff {(c['logp'] - c['logp_old']).abs().max().item():.3g}); "
                              f"the ratio must be exactly 1 there\n  hint: {HINT_OLD}")


def test_logp_is_recomputed_with_grad_at_each_update(run):
    for step in range(STEPS):
        prompts, answers, _, calls = stage(run, step)
        for k, c in enumerate(calls):
            if not c["logp"].requires_grad:
                raise SpecFailure(f"{WHAT}: logp at step {step}, update {k} has no graph; it is "
                                  f"the only input the gradient flows into\n  hint: {HINT_OLD}")
            assert_close(c["logp"].detach().reshape(-1, 1),
                         answer_logp(c["state"], prompts, answers), rtol=1e-5, atol=1e-6,
                         what=f"{WHAT}: logp at step {step}, inner update {k} (the policy as it "
                              f"is at that update)", hint=HINT_OLD)
    first = run["calls"][0]["state"]["head.bias"]
    second = run["calls"][1]["state"]["head.bias"]
    if torch.equal(first, second):
        raise SpecFailure(f"{WHAT}: the policy did not change between the first two inner "
                          f"updates; each update is zero_grad, backward, optimizer.step()")


def test_each_update_steps_on_the_gradient_of_its_own_loss(monkeypatch):
    run = spied_run(monkeypatch, steps=1, stale_grads=True)
    names = [n for n, _ in run["policy"].named_parameters()]
    steps, calls = run["grads_at_step"], run["calls"]
    if len(steps) != len(calls):
        raise SpecFailure(f"grpo_train(..., steps=1, inner_updates={INNER}): optimizer.step() ran "
                          f"{len(steps)} times for {len(calls)} grpo_loss calls; one step per update")
    for k, (seen, call) in enumerate(zip(steps, calls)):
        for name, g, own, p in zip(names, seen, call["own_grads"], run["policy"].parameters()):
            own = torch.zeros_like(p) if own is None else own
            assert_close(torch.zeros_like(p) if g is None else g, own, rtol=1e-5, atol=1e-6,
                         what=f"grpo_train(policy whose .grad holds 100.0 left over from the "
                              f"caller, ...): {name}.grad at optimizer.step() number {k} vs the "
                              f"gradient of that update's loss alone",
                         hint="each update is optimizer.zero_grad(); loss.backward(); "
                              "optimizer.step(), in that order: zero_grad AFTER step leaves the "
                              "caller's (or the last step's) gradients in the first update, and "
                              "no zero_grad adds up every update's gradients")


def test_reference_is_frozen_and_only_read(run):
    ref = run["reference"]
    for name, value in ref.state_dict().items():
        if not torch.equal(value, run["ref_state"][name]):
            raise SpecFailure(f"{WHAT}: the reference's {name} changed during training; it is "
                              f"frozen\n  hint: {HINT_REF}")
    for name, p in ref.named_parameters():
        if not p.requires_grad:
            raise SpecFailure(f"{WHAT}: the reference's {name}.requires_grad was switched off; "
                              f"the reference belongs to the caller: reading it under "
                              f"torch.no_grad() is enough (no reference.requires_grad_(False))")
        if p.grad is not None:
            raise SpecFailure(f"{WHAT}: the reference's {name}.grad was set; read the reference "
                              f"under torch.no_grad()\n  hint: {HINT_REF}")
    if not ref.training:
        raise SpecFailure(f"{WHAT}: the reference was switched to eval mode; leave its mode "
                          f"as the caller set it")
    if not run["policy"].training:
        raise SpecFailure(f"{WHAT}: the policy (given in train mode) came back in eval mode; the "
                          f"policy is used in whatever mode it is in: no policy.eval() (nor "
                          f"policy.train()) inside grpo_train")


def test_reference_logp_comes_from_the_reference(run):
    for step in range(STEPS):
        prompts, answers, _, calls = stage(run, step)
        expected = answer_logp(run["ref_state"], prompts, answers)
        for k, c in enumerate(calls):
            if c["logp_ref"].requires_grad:
                raise SpecFailure(f"{WHAT}: logp_ref at step {step}, update {k} carries a graph; "
                                  f"compute it under torch.no_grad()\n  hint: {HINT_REF}")
            assert_close(c["logp_ref"].reshape(-1, 1), expected, rtol=1e-5, atol=1e-6,
                         what=f"{WHAT}: logp_ref at step {step}, inner update {k} (the frozen "
                              f"initial policy)", hint=HINT_REF)


def test_grpo_loss_gets_the_mask_clip_eps_and_beta(run):
    calls = run["calls"]
    if len(calls) != STEPS * INNER:
        raise SpecFailure(f"{WHAT}: grpo_loss was called {len(calls)} times, expected "
                          f"{STEPS * INNER} (inner_updates per step)\n  hint: call grpo_loss "
                          f"(the name imported in the stub) once per inner update")
    for c in calls:
        mask = c["mask"]
        if tuple(mask.shape) != (P * G, 1) or not bool(mask.bool().all()):
            raise SpecFailure(f"{WHAT}: grpo_loss got mask {mask}; expected "
                              f"torch.ones(N, 1, dtype=torch.bool) (one real token per completion)")
        if (c["clip_eps"], c["beta"]) != (0.3, 0.1):
            raise SpecFailure(f"{WHAT}: grpo_loss got clip_eps={c['clip_eps']}, beta={c['beta']}; "
                              f"pass grpo_train's clip_eps and beta through")
        for name in ("logp", "logp_old", "logp_ref"):
            if tuple(c[name].shape) != (P * G, 1):
                raise SpecFailure(f"{WHAT}: grpo_loss got {name} of shape {tuple(c[name].shape)}, "
                                  f"expected ({P * G}, 1): (N, T) with T = 1")


def test_grpo_loss_gets_an_explicit_zero_clip_eps_and_beta(monkeypatch):
    calls = spied_run(monkeypatch, steps=1, clip_eps=0.0, beta=0.0)["calls"]
    got = sorted({(c["clip_eps"], c["beta"]) for c in calls})
    if got != [(0.0, 0.0)]:
        raise SpecFailure(f"grpo_train(..., clip_eps=0.0, beta=0.0): grpo_loss got (clip_eps, beta) "
                          f"{got}; 0.0 is a value (no clipping range, no KL term), not 'not given': "
                          f"pass them through, no `beta or 0.04`")


# ----------------------------------------------------------------------------- reporting

def test_step_stats_are_reported_per_step(run):
    stats = run["stats"]
    if not isinstance(stats, list) or len(stats) != STEPS:
        raise SpecFailure(f"{WHAT} returned {stats!r}; expected a list of {STEPS} StepStats")
    for step, s in enumerate(stats):
        if not isinstance(s, StepStats):
            raise SpecFailure(f"{WHAT}: item {step} is {s!r}, not a StepStats")
        for field in ("reward", "kl", "loss"):
            v = getattr(s, field)
            if type(v) is not float or not math.isfinite(v):
                raise SpecFailure(f"{WHAT}: step {step}'s {field} is {v!r}; a finite Python float "
                                  f"(.item())\n  hint: {HINT_STATS}")
        _, _, rewards, calls = stage(run, step)
        d = (calls[0]["logp_ref"] - calls[0]["logp_old"]).detach().double()
        expected = dict(reward=float(rewards.double().mean()),
                        kl=float((torch.exp(d) - d - 1).mean()),
                        loss=sum(c["out"] for c in calls) / len(calls))
        for field, value in expected.items():
            assert_close(torch.tensor(getattr(s, field), dtype=torch.float64),
                         torch.tensor(value, dtype=torch.float64), rtol=1e-5, atol=1e-6,
                         what=f"{WHAT}: StepStats.{field} of step {step}", hint=HINT_STATS)


def test_on_step_is_called_after_each_step():
    seen, stages = [], []
    torch.manual_seed(0)
    policy = TinyPolicy().eval()  # a caller's choice: the mode stays as it is
    task = RecordingTask()

    def on_step(step, s):
        seen.append((step, s))
        stages.append(len(task.calls))  # sampling stages run so far

    stats = grpo_train(policy, copy.deepcopy(policy), torch.optim.SGD(policy.parameters(), lr=0.1),
                       task, steps=3, prompts_per_step=2, group_size=2, inner_updates=1,
                       generator=torch.Generator().manual_seed(0), on_step=on_step)
    if seen != list(enumerate(stats)):
        raise SpecFailure(f"grpo_train(..., steps=3, on_step=f): f got {seen}, expected "
                          f"{list(enumerate(stats))}: on_step(step, stats) after each step")
    if stages != [1, 2, 3]:
        raise SpecFailure(f"grpo_train(..., steps=3, on_step=f): when f was called, {stages} sampling "
                          f"stages had run; expected [1, 2, 3]: call on_step(step, stats) at the end of "
                          f"each step (live progress), not for every step once training is over")
    if policy.training:
        raise SpecFailure("grpo_train(policy in eval mode, ...) left the policy in train mode; the "
                          "policy is used in whatever mode it is in: no policy.train() (nor "
                          "policy.eval()) inside grpo_train")


def train(seed, *, steps=40, beta=0.04, global_seed=None):
    torch.manual_seed(seed)
    policy = TinyPolicy()
    if global_seed is not None:
        torch.manual_seed(global_seed)  # the generator alone decides the draws
    return grpo_train(policy, copy.deepcopy(policy), torch.optim.Adam(policy.parameters(), lr=0.02),
                      AdditionTask(), steps=steps, prompts_per_step=16, group_size=8,
                      inner_updates=4, beta=beta, generator=torch.Generator().manual_seed(seed))


def test_same_seed_same_run():
    a, b = train(3, steps=3, global_seed=10), train(3, steps=3, global_seed=11)
    if a != b:
        raise SpecFailure(f"two runs from the same generator seed and initial models (the "
                          f"global generator seeded differently) differ:\n  {a}\n  {b}"
                          f"\n  hint: draw prompts and answers with the given generator")


def test_no_generator_draws_from_the_global_generator():
    torch.manual_seed(0)
    policy = TinyPolicy()
    runs = []
    for global_seed in (7, 7, 8):
        torch.manual_seed(global_seed)
        p = copy.deepcopy(policy)
        runs.append(grpo_train(p, copy.deepcopy(policy), torch.optim.SGD(p.parameters(), lr=0.1),
                               AdditionTask(), steps=2, prompts_per_step=4, group_size=4,
                               inner_updates=1, generator=None))
    if runs[0] != runs[1] or runs[0] == runs[2]:
        raise SpecFailure(f"grpo_train(..., generator=None) after torch.manual_seed(7) twice, then "
                          f"after torch.manual_seed(8), gave runs that are "
                          f"{'equal' if runs[0] == runs[1] else 'different'} for the same seed and "
                          f"{'equal' if runs[0] == runs[2] else 'different'} for another one; "
                          f"expected equal, then different\n  hint: generator=None means torch's "
                          f"global generator (pass None on to sample_prompts and torch.multinomial); "
                          f"never a torch.Generator() of your own, which torch.manual_seed does not "
                          f"control")


def test_generator_is_used():
    torch.manual_seed(0)
    policy = TinyPolicy()
    runs = []
    for gen_seed in (1, 2):
        torch.manual_seed(5)  # the global generator is the same for both runs
        p = copy.deepcopy(policy)
        runs.append(grpo_train(p, copy.deepcopy(policy), torch.optim.SGD(p.parameters(), lr=0.1),
                               AdditionTask(), steps=2, prompts_per_step=4, group_size=4,
                               inner_updates=1, generator=torch.Generator().manual_seed(gen_seed)))
    if runs[0] == runs[1]:
        raise SpecFailure("grpo_train with generators seeded 1 and 2 (same global seed) gave the "
                          "same run: pass generator to task.sample_prompts and torch.multinomial")


# ------------------------------------------------------------------------------ learning

def curve(values) -> str:
    """The spec's own sparkline for messages: a learner's buggy sparkline must not hide why a
    learning spec failed."""
    if not values or not all(math.isfinite(v) for v in values):
        return f"{values}"
    lo, hi = min(values), max(values)
    return "".join("▁▂▃▄▅▆▇█"[min(int((v - lo) / (hi - lo) * 8), 7) if hi > lo else 0] for v in values)


@pytest.mark.parametrize("seed", [0, 1])
def test_reward_rises_from_chance(seed):
    stats = train(seed)
    rewards = [s.reward for s in stats]
    what = (f"grpo_train(TinyPolicy(), ..., Adam(lr=0.02), AdditionTask(), steps=40, "
            f"prompts_per_step=16, group_size=8, inner_updates=4, beta=0.04), seed {seed}")
    first, last = sum(rewards[:3]) / 3, sum(rewards[-5:]) / 5
    kl_last = sum(s.kl for s in stats[-10:]) / 10
    if not first < 0.25 or not last >= 0.4 or not kl_last < 2.5:
        raise SpecFailure(f"{what}: mean reward {first:.3f} over the first 3 steps (chance "
                          f"1/9 = 0.111; expected < 0.25), {last:.3f} over the last 5 (expected "
                          f">= 0.4; the reference reaches 0.72-0.80), mean KL over the last 10 "
                          f"{kl_last:.3f} (expected < 2.5)\n  reward {curve(rewards)}\n  hint: "
                          f"{HINT_STAGE}; {HINT_ADV}")


def test_kl_stays_bounded_with_a_strong_kl_term():
    stats = train(0, beta=1.0)
    kls = [s.kl for s in stats]
    last = sum(s.reward for s in stats[-5:]) / 5
    if not max(kls) < 0.8 or not last >= 0.25:
        raise SpecFailure(f"grpo_train(..., steps=40, beta=1.0), seed 0: the KL to the "
                          f"reference peaked at {max(kls):.3f} (expected < 0.8; the reference "
                          f"peaks at 0.53) and the reward of the last 5 steps is {last:.3f} "
                          f"(expected >= 0.25)\n  kl {curve(kls)}\n  hint: {HINT_REF}")


# ------------------------------------------------------------------- arguments, edge cases

def test_zero_steps_returns_an_empty_list(monkeypatch):
    run = spied_run(monkeypatch, steps=0)
    if run["stats"] != [] or run["calls"] or run["task"].calls:
        raise SpecFailure(f"grpo_train(..., steps=0) returned {run['stats']!r} after "
                          f"{len(run['task'].calls)} reward and {len(run['calls'])} loss calls; "
                          f"expected [] and no calls")


@pytest.mark.parametrize("name,value", [("steps", -1), ("prompts_per_step", 0),
                                        ("group_size", 1), ("inner_updates", 0)])
def test_bad_arguments_raise_value_error(name, value):
    policy = TinyPolicy()
    for steps in (1, 0) if name != "steps" else (value,):   # checked first, steps = 0 too
        kwargs = dict(steps=steps, prompts_per_step=2, group_size=2, inner_updates=1)
        kwargs[name] = value
        try:
            grpo_train(policy, copy.deepcopy(policy), torch.optim.SGD(policy.parameters(), lr=0.1),
                       AdditionTask(), **kwargs)
        except ValueError as err:
            if name not in str(err):
                raise SpecFailure(f"grpo_train(..., {name}={value}) raised ValueError({str(err)!r}); "
                                  f"the message must name {name}") from None
        else:
            raise SpecFailure(f"grpo_train(..., steps={steps}, {name}={value}) raised no ValueError"
                              + ("\n  hint: check the arguments before anything else: the steps = 0 "
                                 "shortcut (return []) comes after the checks" if steps == 0 else ""))


# ------------------------------------------------------------------------------ sparkline

@pytest.mark.parametrize("values,expected", [
    ([0, 1, 2, 3, 4, 5, 6, 7], "▁▂▃▄▅▆▇█"),
    (list(range(16)), "▁▁▂▂▃▃▄▄▅▅▆▆▇▇██"),
    ([0.0, 0.5, 1.0], "▁▅█"),
    ([1.0, 3.0], "▁█"),
    ([3.0, -1.0, 1.0], "█▁▅"),
    ([i / 10 for i in range(11)], "▁▁▂▃▄▅▅▆▇██"),
    (torch.tensor([0.1, 0.2, 0.9]), "▁▂█"),
    ([10**8, 10**8 + 1, 10**8 + 2], "▁▅█"),  # all 1e8 in float32: bin the values as given
])
def test_sparkline_maps_min_to_max_onto_8_blocks(values, expected):
    out = sparkline(values)
    if out != expected:
        raise SpecFailure(f"sparkline({values!r}) == {out!r}, expected {expected!r}\n  hint: "
                          f"index = min(int((v - min) / (max - min) * 8), 7) into '▁▂▃▄▅▆▇█', on the values as given "
                          f"(Python floats; a float32 tensor merges large nearby values)")


@pytest.mark.parametrize("values,expected", [([], ""), ([0.5, 0.5, 0.5], "▁▁▁"), ([2], "▁")])
def test_sparkline_empty_and_constant(values, expected):
    out = sparkline(values)
    if out != expected:
        raise SpecFailure(f"sparkline({values!r}) == {out!r}, expected {expected!r} (empty -> '', "
                          f"all equal -> '▁' each; never a division by max - min = 0)")


@pytest.mark.parametrize("values", [[0.0, float("nan"), 1.0], [0.0, float("inf"), 1.0],
                                    [float("inf")] * 2, [float("nan")]],
                         ids=["nan", "inf", "all inf", "one nan"])
def test_sparkline_rejects_non_finite_values(values):
    try:
        out = sparkline(values)
    except ValueError:
        return
    raise SpecFailure(f"sparkline({values!r}) returned {out!r}; a NaN or an infinity is a "
                      f"ValueError, also when every value is the same (check before the "
                      f"all-equal shortcut)")


def test_sparkline_takes_a_one_shot_iterable():
    out = sparkline(v / 2 for v in range(3))
    if out != "▁▅█":
        raise SpecFailure(f"sparkline(v / 2 for v in range(3)) == {out!r}, expected '▁▅█' "
                          f"(as for [0.0, 0.5, 1.0])\n  hint: values may be any iterable, a "
                          f"generator too: read it once (values = [float(v) for v in values]) "
                          f"before taking min and max")


# --------------------------------------------------------------------------- plot_rewards

def test_plot_rewards_without_matplotlib_says_how_to_install(monkeypatch, tmp_path):
    for name in [n for n in sys.modules if n == "matplotlib" or n.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError) as info:
        plot_rewards([StepStats(0.1, 0.0, 0.0), StepStats(0.5, 0.1, 0.0)], tmp_path / "r.png")
    if "pip install matplotlib" not in str(info.value):
        raise SpecFailure(f"plot_rewards without matplotlib raised ImportError({str(info.value)!r}); "
                          f"the message must say 'pip install matplotlib'")


def test_plot_rewards_writes_a_png(tmp_path):
    pytest.importorskip("matplotlib")
    path = tmp_path / "rewards.png"
    plot_rewards([StepStats(0.1, 0.0, 0.0), StepStats(0.5, 0.1, 0.0)], path)
    if not path.is_file() or path.read_bytes()[:8] != b"\x89PNG\r\n\x1a\n":
        raise SpecFailure("plot_rewards(stats, path) wrote no PNG file at path")
