#!/usr/bin/python3
"""Reference numbers for `finger agreement`, computed outside the project.

- SRCC, PLCC and Kendall's tau-b: scipy.stats (spearmanr, pearsonr, kendalltau).
- Tie-calibrated pairwise accuracy (acc23, the threshold chosen to maximise it):
  google-research/mt-metrics-eval, mt_metrics_eval/tau_optimization.py, tau_optimization with
  TauSufficientStats.acc_23 and sample_rate 1.0 (every pair).
- Accuracy without ties: KwaiVGI/VideoAlign, calc_accuracy.py, calc_accuracy_without_ties.

Neither repository is committed here. Export their files and pass the folders:

  git --git-dir=<mt-metrics-eval.git> archive HEAD mt_metrics_eval | tar -x -C /tmp/mtme
  git --git-dir=<VideoAlign.git> archive HEAD calc_accuracy.py | tar -x -C /tmp/videoalign
  /usr/bin/python3 test/reference/agreement_reference.py --mtme /tmp/mtme --videoalign /tmp/videoalign \
      --mtme-commit <sha> --videoalign-commit <sha> > test/reference/agreement-expected.json

The data sets are generated here with a fixed linear congruential generator, so they have many
ties (human scores on a 1-5 scale, predictions on a 0.05 grid) and are written into the output
together with the expected values; test/unit/metrics/reference.test.ts reads that file.
"""
import argparse
import importlib.util
import json
import os
import platform
import sys

import numpy as np
import scipy
import scipy.stats


def load(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Lcg:
    """Numerical Recipes' 32-bit LCG: enough to make reproducible test data."""

    def __init__(self, seed):
        self.state = seed & 0xFFFFFFFF

    def next(self):
        self.state = (1664525 * self.state + 1013904223) & 0xFFFFFFFF
        return self.state / 4294967296.0


def series(seed, n, noise, levels=5):
    rng = Lcg(seed)
    human, pred = [], []
    for _ in range(n):
        h = 1 + int(rng.next() * levels)  # 1..levels: many human ties
        p = round((h / levels) * (1 - noise) + noise * rng.next(), 2)
        pred.append(round(round(p / 0.05) * 0.05, 2))  # a 0.05 grid: many equal differences
        human.append(h)
    return human, pred


def preference_pairs(seed, n_videos, n_pairs):
    rng = Lcg(seed)
    scores = {f"clips/v{i:02d}.mp4": round(round(rng.next() / 0.1) * 0.1, 1) for i in range(n_videos)}
    names = sorted(scores)
    quality = {v: rng.next() for v in names}
    pairs = []
    for _ in range(n_pairs):
        a = names[int(rng.next() * n_videos)]
        b = names[int(rng.next() * n_videos)]
        if a == b:
            continue
        d = quality[a] - quality[b]
        pref = "tie" if abs(d) < 0.15 else ("a" if d > 0 else "b")
        pairs.append({"video_a": a, "video_b": b, "preference": pref})
    return scores, pairs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mtme", required=True, help="folder that holds mt_metrics_eval/")
    ap.add_argument("--videoalign", required=True, help="folder that holds calc_accuracy.py")
    ap.add_argument("--mtme-commit", default="unknown")
    ap.add_argument("--videoalign-commit", default="unknown")
    args = ap.parse_args()
    tau_opt = load(os.path.join(args.mtme, "mt_metrics_eval", "tau_optimization.py"), "tau_optimization")
    calc = load(os.path.join(args.videoalign, "calc_accuracy.py"), "calc_accuracy")

    def acc23(metric_rows, human_rows):
        r = tau_opt.tau_optimization(metric_rows, human_rows, tau_opt.TauSufficientStats.acc_23, sample_rate=1.0)
        return float(r.best_tau), float(r.best_threshold)

    def without_ties_of_series(human, pred):
        h, m = [], []
        for i in range(len(human)):
            for j in range(i + 1, len(human)):
                dh = human[i] - human[j]
                h.append(0 if dh == 0 else (1 if dh > 0 else -1))
                m.append(pred[i] - pred[j])
        return float(calc.calc_accuracy_without_ties(h, m))

    out = {
        "generatedBy": "test/reference/agreement_reference.py",
        "references": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "mt-metrics-eval": f"github.com/google-research/mt-metrics-eval@{args.mtme_commit} mt_metrics_eval/tau_optimization.py",
            "VideoAlign": f"github.com/KwaiVGI/VideoAlign@{args.videoalign_commit} calc_accuracy.py",
        },
        "series": [],
        "pairs": [],
    }
    for seed, n, noise, levels in [(7, 40, 0.6, 5), (11, 60, 0.9, 5), (3, 25, 0.3, 5), (13, 50, 0.2, 3), (17, 45, 0.15, 2)]:
        human, pred = series(seed, n, noise, levels)
        best, eps = acc23([pred], [human])
        out["series"].append({
            "name": f"seed {seed}, {n} clips, human 1-{levels}",
            "human": human,
            "pred": pred,
            "srcc": float(scipy.stats.spearmanr(pred, human).statistic),
            "plcc": float(scipy.stats.pearsonr(pred, human).statistic),
            "krcc": float(scipy.stats.kendalltau(pred, human).statistic),
            "acc23": best,
            "epsilon": eps,
            "withoutTies": without_ties_of_series(human, pred),
        })
    for seed in [5, 9]:
        scores, pairs = preference_pairs(seed, 20, 80)
        # One row per pair with two items: tau_optimization averages acc_23 over rows, which for
        # one pair per row is the share of pairs it gets right.
        metric_rows = [[scores[p["video_a"]], scores[p["video_b"]]] for p in pairs]
        human_rows = [[1, 0] if p["preference"] == "a" else [0, 1] if p["preference"] == "b" else [0, 0] for p in pairs]
        best, eps = acc23(metric_rows, human_rows)
        h = [1 if p["preference"] == "a" else -1 if p["preference"] == "b" else 0 for p in pairs]
        m = [scores[p["video_a"]] - scores[p["video_b"]] for p in pairs]
        out["pairs"].append({
            "name": f"seed {seed}, {len(pairs)} pairs",
            "scores": scores,
            "pairs": pairs,
            "acc23": best,
            "epsilon": eps,
            "withoutTies": float(calc.calc_accuracy_without_ties(h, m)),
        })
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
