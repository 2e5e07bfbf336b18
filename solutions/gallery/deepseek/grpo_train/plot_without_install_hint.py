"""matplotlib imported bare: without it the learner gets "No module named 'matplotlib'" and
no word about what to do (or that the sparkline works without it).

Fix: catch ImportError and raise one that says "pip install matplotlib".
"""

from solutions.deepseek.grpo_train import *  # noqa: F401,F403 (the rest is correct)


def plot_rewards(stats, path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.plot([s.reward for s in stats], label="mean reward")
    ax.plot([s.kl for s in stats], label="KL to the reference")
    ax.set_xlabel("step")
    ax.legend()
    fig.savefig(path)
    plt.close(fig)
