#!/usr/bin/env python3
"""Table 1 summary of the runs made by scripts/gpu/table1.sh.

    summarize.py [--json FILE] DIR [DIR...]

Each DIR is a table1.sh work folder or an unpacked results tarball: it holds runs/<run>/
(metrics.json, model.json, train_log.jsonl, status) and optionally env.txt and models.json.
Several DIRs (one per GPU session) merge into one table; for a run present in more than one,
a finished run beats an unfinished one, then the later DIR wins. Writes Markdown to stdout.

Only the Python standard library: it runs on the GPU machine and here.
"""
import json
import os
import sys

# Table 1 order; (run, network, how it was trained).
RUNS = [
    ("xception", "xception", "from scratch"),
    ("mobilenet", "mobilenet", "from scratch"),
    ("mobilenetv2", "mobilenetv2", "from scratch"),
    ("densenet40", "densenet40", "from scratch"),
    ("vgg-pretrain", "vgg-pretrain", "from scratch"),
    ("vgg-retrain-v1", "vgg-retrain-v1", "retrained from VGG-pretrain"),
    ("vgg-retrain-v2", "vgg-retrain-v2", "retrained from VGG-pretrain"),
    ("vgg-retrain-v1-kd", "vgg-retrain-v1", "retrained + distilled from VGG-pretrain"),
    ("vgg-retrain-v2-kd", "vgg-retrain-v2", "retrained + distilled from VGG-pretrain"),
]
# The poster's Table 1 (FER2013): depth, accuracy %, parameters (millions).
POSTER = {
    "xception": (40, 67.4, 20.9),
    "mobilenet": (28, 61.8, 3.2),
    "mobilenetv2": (54, 62.1, 2.3),
    "densenet40": (40, 66.6, 1.0),
    "vgg-pretrain": (10, 70.1, 9.4),
    "vgg-retrain-v1": (9, 69.5, 2.4),
    "vgg-retrain-v2": (9, 69.8, 1.0),
}
CLASSES = ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]


def load_json(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def load_log(path):
    rows = []
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if line:
                    try:
                        rows.append(json.loads(line))
                    except ValueError:
                        pass
    except OSError:
        pass
    return rows


def read_text(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read().strip()
    except OSError:
        return ""


def load_run(d, name):
    rd = os.path.join(d, "runs", name)
    if not os.path.isdir(rd):
        return None
    return {
        "dir": d,
        "metrics": load_json(os.path.join(rd, "metrics.json")),
        "test_eval": load_json(os.path.join(rd, "test_eval.json")),
        "manifest": load_json(os.path.join(rd, "model.json")),
        "log": load_log(os.path.join(rd, "train_log.jsonl")),
        "status": read_text(os.path.join(rd, "status")),
        "planned": read_text(os.path.join(rd, "planned_epochs")),
    }


def pct(x):
    return "-" if x is None else f"{100.0 * x:.2f}"


def f1(x):
    return "-" if x is None else f"{x:.3f}"


def main(argv):
    json_out = None
    dirs = []
    i = 1
    while i < len(argv):
        if argv[i] == "--json" and i + 1 < len(argv):
            json_out = argv[i + 1]
            i += 2
            continue
        dirs.append(argv[i])
        i += 1
    if not dirs:
        print(__doc__, file=sys.stderr)
        return 2

    networks = {}
    envs = []
    for d in dirs:
        for n in load_json(os.path.join(d, "models.json")) or []:
            networks[n["name"]] = n
        env = read_text(os.path.join(d, "env.txt"))
        if env:
            envs.append((d, env))

    runs = {}
    for name, _, _ in RUNS:
        for d in dirs:
            r = load_run(d, name)
            if r is None:
                continue
            old = runs.get(name)
            if old is None or r["metrics"] is not None or old["metrics"] is None:
                runs[name] = r

    out = []
    w = out.append
    w("# Table 1 reproduction (FER2013): results of scripts/gpu/table1.sh")
    w("")
    w("Protocol: trained on train, epoch selected on val accuracy, test evaluated once at the end")
    w("(no TTA and ten-crop TTA: four corner crops + centre crop of 44x44, resized to 48x48, and")
    w("their mirror images, softmax averaged). Accuracies in %.")
    w("")
    for d, env in envs:
        w(f"Machine ({d}):")
        w("")
        w("```")
        w(env)
        w("```")
        w("")
    w("| model | trained | depth | params | poster acc | epochs | best ep | val acc | "
      "test acc | test acc ten-crop | test macro-F1 | ten-crop macro-F1 | s/epoch | status |")
    w("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    table = []
    for name, net, how in RUNS:
        r = runs.get(name)
        info = networks.get(net, {})
        depth = info.get("depth", "-")
        params = info.get("parameters")
        poster = POSTER.get(net)
        row = {"run": name, "network": net, "trained": how, "depth": depth,
               "parameters": params, "poster_accuracy": poster[1] if poster else None}
        if r is None:
            w(f"| {name} | {how} | {depth} | {params or '-'} | "
              f"{poster[1] if poster else '-'} | - | - | - | - | - | - | - | - | not run |")
            row["status"] = "not run"
            table.append(row)
            continue
        m = r["metrics"]
        if m is not None and "test" not in m and r["test_eval"]:
            # trained without a test split, tested afterwards by `table1.sh test`
            m = dict(m, test={k: r["test_eval"][k] for k in ("none", "flip", "tencrop")
                              if k in r["test_eval"]})
        log = r["log"]
        epochs_run = len(log)
        planned = r["planned"] or "?"
        if r["manifest"] and m is not None:  # a finished run: the epochs it was trained for
            tr = r["manifest"].get("training", {})
            planned = tr.get("epochs_planned", tr.get("epochs", planned))  # planned, before any time budget
        secs = [e.get("seconds", 0) for e in log]
        s_per_epoch = sum(secs) / len(secs) if secs else None
        best = max(log, key=lambda e: e.get("val_accuracy", 0)) if log else None
        if m is not None:
            val = m["val"]["accuracy"]
            t0 = m.get("test", {}).get("none", {})
            t10 = m.get("test", {}).get("tencrop", {})
            best_epoch = m.get("best_epoch")
        else:
            val = best.get("val_accuracy") if best else None
            t0, t10 = {}, {}
            best_epoch = best.get("epoch") if best else None
        if params is None and r["manifest"]:
            params = r["manifest"].get("parameters")
        status = r["status"] or ("finished" if m is not None else "unfinished")
        w(f"| {name} | {how} | {depth} | {params or '-'} | {poster[1] if poster else '-'} | "
          f"{epochs_run}/{planned} | {best_epoch if best_epoch is not None else '-'} | "
          f"{pct(val)} | {pct(t0.get('accuracy'))} | {pct(t10.get('accuracy'))} | "
          f"{f1(t0.get('macro_f1'))} | {f1(t10.get('macro_f1'))} | "
          f"{'-' if s_per_epoch is None else f'{s_per_epoch:.1f}'} | {status} |")
        row.update({
            "parameters": params, "epochs_run": epochs_run, "epochs_planned": planned,
            "best_epoch": best_epoch, "val_accuracy": val,
            "test_accuracy": t0.get("accuracy"), "test_accuracy_tencrop": t10.get("accuracy"),
            "test_accuracy_flip": m.get("test", {}).get("flip", {}).get("accuracy") if m else None,
            "test_macro_f1": t0.get("macro_f1"), "test_macro_f1_tencrop": t10.get("macro_f1"),
            "seconds_per_epoch": s_per_epoch, "status": status, "source": r["dir"],
            "test_recall": {c: t0.get("per_class", {}).get(c, {}).get("recall") for c in CLASSES}
            if t0 else None,
        })
        table.append(row)

    w("")
    w("Per-class recall on test (no TTA), %:")
    w("")
    w("| model | " + " | ".join(CLASSES) + " |")
    w("|---|" + "---|" * len(CLASSES))
    for row in table:
        rec = row.get("test_recall")
        if rec:
            w(f"| {row['run']} | " + " | ".join(pct(rec[c]) for c in CLASSES) + " |")
    w("")
    w("depth and params: counted from this project's layers (`litefer-cli models`); poster acc: "
      "the poster's Table 1. s/epoch: mean wall seconds per epoch including validation.")
    print("\n".join(out))
    if json_out:
        with open(json_out, "w", encoding="utf-8") as f:
            json.dump({"runs": table, "sources": dirs}, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
