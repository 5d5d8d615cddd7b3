"""PyTorch's twin of benches/memory.rs: the rise of the peak resident set during two ResNet-18
training steps (batch 8, 3x224x224, f32, CrossEntropyLoss, SGD with momentum) above the
process's size once the model and the batch exist. One JSON line."""
import argparse
import json

import torch
import torchvision


def rss_and_peak():
    fields = {}
    for line in open("/proc/self/status"):
        k, _, v = line.partition(":")
        fields[k] = v.split()
    return int(fields["VmRSS"][0]), int(fields["VmHWM"][0])


ap = argparse.ArgumentParser()
ap.add_argument("--threads", type=int, default=1)
threads = ap.parse_args().threads
torch.set_num_threads(threads)
torch.manual_seed(0)
model = torchvision.models.resnet18(weights=None).train()
x = torch.randn(8, 3, 224, 224)
y = torch.randint(0, 1000, (8,))
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
criterion = torch.nn.CrossEntropyLoss()
base, _ = rss_and_peak()
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")
for _ in range(2):
    opt.zero_grad()
    loss = criterion(model(x), y)
    loss.backward()
    opt.step()
_, peak = rss_and_peak()
print(json.dumps({"system": "pytorch", "workload": "resnet18_train_step_b8_peak_rss", "threads": threads,
                  "baseline_mib": round(base / 1024, 1), "step_peak_above_baseline_mib": round((peak - base) / 1024, 1)}))
