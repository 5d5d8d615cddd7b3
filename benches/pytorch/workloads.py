"""The speed workloads W1-W11 in PyTorch, one JSON line each, like benches/workloads.rs.

python benches/pytorch/workloads.py --threads 1 [--only W2,W3] [--budget-ms 1500]
Needs torch and torchvision (pip install torch torchvision); only for benchmarking.
"""
import argparse
import json
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def timeit(f, budget, min_reps):
    end = time.perf_counter() + budget / 5
    while time.perf_counter() < end:
        f()
    samples = []
    start = time.perf_counter()
    while len(samples) < min_reps or (time.perf_counter() - start < budget and len(samples) < 100000):
        t = time.perf_counter()
        f()
        samples.append((time.perf_counter() - t) * 1e6)
    samples.sort()
    return samples[len(samples) // 2], samples[0], samples[-1]


def report(name, threads, r, **extra):
    d = {"system": "pytorch", "workload": name, "threads": threads, "median_us": round(r[0], 3), "min_us": round(r[1], 3), "max_us": round(r[2], 3)}
    d.update(extra)
    print(json.dumps(d), flush=True)


class Fraud(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.feature_extractor = nn.Sequential(nn.Linear(d, 64), nn.BatchNorm1d(64), nn.ReLU(), nn.Dropout(0.3),
                                               nn.Linear(64, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Dropout(0.2))
        self.classifier = nn.Sequential(nn.Linear(32, 16), nn.ReLU(), nn.Linear(16, 1), nn.Sigmoid())

    def forward(self, x):
        return self.classifier(self.feature_extractor(x))


EPISODE = 2000  # as benches/workloads.rs: a fresh model and optimizer every 2,000 steps


def episodes(fresh, f):
    """f(model, opt) on a model and optimizer that fresh() makes anew every EPISODE calls."""
    state = {"calls": 0, "mo": fresh()}

    def call():
        state["calls"] += 1
        if state["calls"] % EPISODE == 0:
            state["mo"] = fresh()
        f(*state["mo"])
    return call


def step(model, opt, x, y, loss_fn):
    loss = loss_fn(model(x), y)
    opt.zero_grad()
    loss.backward()
    opt.step()


def resnet18_step(budget):
    """One ResNet-18 fine-tuning step: batch 8, CrossEntropyLoss, SGD with momentum."""
    import torchvision
    m = torchvision.models.resnet18(weights=None).train()
    x, y = torch.randn(8, 3, 224, 224), torch.randint(0, 1000, (8,))
    opt = torch.optim.SGD(m.parameters(), lr=0.01, momentum=0.9)
    return timeit(lambda: step(m, opt, x, y, F.cross_entropy), budget * 2, 5)


def frozen_head():
    """The usual transfer-learning loop: a frozen ResNet-18 (eval mode, requires_grad off) with
    a new Linear(512, 1) + Sigmoid head, 256 images, 5 epochs of batches of 32, BCELoss, Adam.
    Every batch runs the whole network, as such tutorials do. Three timed runs, no warm-up."""
    import torchvision
    images, labels = torch.randn(256, 3, 224, 224), (torch.rand(256, 1) > 0.5).float()

    def run():
        m = torchvision.models.resnet18(weights=None)
        for p in m.parameters():
            p.requires_grad = False
        m.fc = nn.Sequential(nn.Linear(m.fc.in_features, 1), nn.Sigmoid())
        m.eval()
        opt = torch.optim.Adam(m.fc.parameters(), lr=1e-3)
        for _ in range(5):
            for b in range(0, 256, 32):
                step(m, opt, images[b:b + 32], labels[b:b + 32], F.binary_cross_entropy)
    return timeit(run, 0, 3)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--only", default="")
    ap.add_argument("--budget-ms", type=float, default=1500)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    budget = a.budget_ms / 1000
    only = [w for w in a.only.split(",") if w]
    run = lambda w: not only or w in only
    t = a.threads
    if run("W1"):
        x = torch.randn(1_000_000)
        report("W1_sigmoid_forward", t, timeit(lambda: torch.sigmoid(x), budget, 20))
        xg = x.clone().requires_grad_(True)

        def fb():
            xg.grad = None
            torch.sigmoid(xg).sum().backward()
        report("W1_sigmoid_forward_backward", t, timeit(fb, budget, 20))
    if run("W2"):
        x, y = torch.randn(64, 10), torch.randint(0, 2, (64, 1)).float()

        def fresh():
            m = nn.Sequential(nn.Linear(10, 1), nn.Sigmoid())
            return m, torch.optim.SGD(m.parameters(), lr=0.01)
        run_ = episodes(fresh, lambda m, opt: step(m, opt, x, y, F.binary_cross_entropy))
        report("W2_churn_step", t, timeit(run_, budget, 100))
    if run("W3"):
        x, y = torch.rand(32, 8), torch.randint(0, 2, (32, 1)).float()

        def fresh():
            m = nn.Sequential(nn.Linear(8, 12), nn.ReLU(), nn.Linear(12, 8), nn.ReLU(), nn.Linear(8, 1), nn.Sigmoid())
            return m, torch.optim.Adam(m.parameters(), lr=1e-3)
        run_ = episodes(fresh, lambda m, opt: step(m, opt, x, y, F.binary_cross_entropy))
        report("W3_diabetes_step", t, timeit(run_, budget, 100))
    if run("W4"):
        for b in (256, 4096):
            x, y = torch.randn(b, 20), (torch.rand(b, 1) < 0.02).float()

            def fresh():
                m = Fraud(20)
                return m, torch.optim.Adam(m.parameters(), lr=1e-3)
            run_ = episodes(fresh, lambda m, opt, x=x, y=y: step(m, opt, x, y, F.binary_cross_entropy))
            report(f"W4_fraud_step_b{b}", t, timeit(run_, budget, 20))
    if run("W5"):
        x, y = torch.randn(4096, 512), (torch.rand(4096, 1) > 0.5).float()
        m = nn.Sequential(nn.Linear(512, 1024), nn.ReLU(), nn.Linear(1024, 1024), nn.ReLU(), nn.Linear(1024, 1))
        opt = torch.optim.Adam(m.parameters(), lr=1e-3)
        report("W5_mlp_step_b4096", t, timeit(lambda: step(m, opt, x, y, F.binary_cross_entropy_with_logits), budget * 2, 5))
    if run("W6"):
        a_, b_ = torch.randn(1024, 1024), torch.randn(1024, 1024)
        r = timeit(lambda: a_ @ b_, budget, 5)
        report("W6_matmul_1024", t, r, gflops=round(2 * 1024 ** 3 / (r[0] * 1e3), 1))
    if run("W7"):
        from torchvision.ops import sigmoid_focal_loss
        x = torch.randn(1_000_000).requires_grad_(True)
        y = (torch.rand(1_000_000) > 0.9).float()

        def fl():
            x.grad = None
            sigmoid_focal_loss(x, y, 0.25, 2.0, "mean").backward()
        report("W7_focal_forward_backward", t, timeit(fl, budget, 10))
    if run("W8"):
        import torchvision
        m = torchvision.models.resnet50(weights=None).eval()
        for batch, name in ((1, "W8_resnet50_forward"), (16, "W8_resnet50_forward_b16")):
            img = torch.randn(batch, 3, 224, 224)

            def fw():
                with torch.no_grad():
                    m(img)
            report(name, t, timeit(fw, budget * 3, 5))
    if run("W10"):
        report("W10_resnet18_train_step_b8", t, resnet18_step(budget))
    if run("W11"):
        report("W11_frozen_resnet18_head", t, frozen_head())
    if run("W9"):
        report("W9_randn_1e7", t, timeit(lambda: torch.randn(10_000_000), budget, 5))


if __name__ == "__main__":
    main()
