"""No hooks at work: finish_gradient_synchronization all-reduces every bucket after backward
has ended. The values are right, but nothing overlaps: the whole communication waits for
the whole backward.

Fix: launch each bucket from the gradient hooks, as soon as its gradients are complete."""


from solutions.distributed.ddp import *  # noqa: F401,F403 (the rest is correct)
from solutions.distributed.ddp import DDP as _Correct


class DDP(_Correct):
    def _grad_ready(self, param):
        pass

    def finish_gradient_synchronization(self):
        for i in range(len(self.buckets)):
            self.ready[i] = len(self.buckets[i]) - 1
            super()._grad_ready(self.buckets[i][0])
        super().finish_gradient_synchronization()
