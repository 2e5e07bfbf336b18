"""evaluate as an @torch.inference_mode() function collecting (sum, size) pairs with try/finally; train_epoch under enable_grad with float(loss) and len(inputs)."""

import torch


def train_epoch(model, loader, optimizer, loss_fn):
    model.train()
    seen, acc = 0, 0.0
    with torch.enable_grad():
        for batch in loader:
            inputs, targets = batch[0], batch[1]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(inputs), targets)
            loss.backward()
            optimizer.step()
            seen += len(inputs)
            acc += len(inputs) * float(loss)
    return acc / seen


def fit(model, loader, optimizer, loss_fn, epochs):
    out = []
    for _ in range(epochs):
        out.append(train_epoch(model, loader, optimizer, loss_fn))
    return out


@torch.inference_mode()
def evaluate(model, loader, loss_fn):
    previous = model.training
    model.eval()
    try:
        sums = [(loss_fn(model(x), y).item() * x.size(0), x.size(0)) for x, y in loader]
    finally:
        model.train(previous)
    return sum(s for s, _ in sums) / sum(n for _, n in sums)
