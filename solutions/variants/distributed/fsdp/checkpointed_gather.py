"""An all-gather autograd Function whose backward reduce-scatters, each unit run under
non-reentrant torch.utils.checkpoint so its gathered parameters are recomputed (re-gathered) in backward."""
import torch
import torch.distributed as dist
from torch import nn
from torch.func import functional_call
from torch.utils.checkpoint import checkpoint


class _Gather(torch.autograd.Function):
    @staticmethod
    def forward(ctx, shard):
        w = dist.get_world_size()
        out = shard.new_empty(w * shard.numel())
        dist.all_gather_into_tensor(out, shard.detach().contiguous())
        return out

    @staticmethod
    def backward(ctx, g):
        w = dist.get_world_size()
        out = g.new_empty(g.numel() // w)
        dist.reduce_scatter_tensor(out, g.contiguous())
        return out.div_(w)


class FSDP(nn.Module):
    def __init__(self, model):
        super().__init__()
        w, r = dist.get_world_size(), dist.get_rank()
        self._layers, self._meta = [], []
        self.shards = nn.ParameterList()
        for layer in model:
            named = list(layer.named_parameters())
            if not named:
                self._layers.append((layer, None)); continue
            P = sum(p.numel() for _, p in named)
            S = (P + w - 1) // w
            flat = torch.zeros(w * S, dtype=named[0][1].dtype, device=named[0][1].device)
            torch.cat([p.detach().flatten() for _, p in named], out=flat[:P])
            self.shards.append(nn.Parameter(flat[r * S:(r + 1) * S].clone()))
            info = [(n, p.shape) for n, p in named]
            self._layers.append((layer.to("meta"), (len(self.shards) - 1, info)))

    @staticmethod
    def _run(layer, info, x, shard):
        full = _Gather.apply(shard)
        params, off = {}, 0
        for n, shape in info:
            k = shape.numel()
            params[n] = full[off:off + k].view(shape); off += k
        return functional_call(layer, params, (x,))

    def forward(self, x):
        for layer, meta in self._layers:
            if meta is None:
                x = layer(x)
                continue
            i, info = meta
            shard = self.shards[i]
            if torch.is_grad_enabled():
                x = checkpoint(self._run, layer, info, x, shard, use_reentrant=False)
            else:
                x = self._run(layer, info, x, shard)
        return x
