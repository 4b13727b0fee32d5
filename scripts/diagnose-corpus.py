#!/usr/bin/env python3
"""
Copies the sisimai sample set (p5-sisimai's set-of-emails/maildir/bsd) and its maintainers'
labels into tests/fixtures/bounces-sisimai/. Run once per corpus update, by hand:

  python3 scripts/diagnose-corpus.py <p5-sisimai git dir> <commit>

The labels are the expected values in p5-sisimai's own tests (t/6xx-lhost-*.t,
t/3xx-rhost-*.t, t/890-rfc3464.t, t/891-rfc3834.t, t/899-arf.t):
  'NN' => [['D.S.N.', 'replycode', 'REASON', hardbounce], ...]  one row per recipient.
Written to labels.json as {"<file>": [{"status", "reply", "reason"}, ...]}.
"""
import json, os, re, subprocess, sys

git_dir, commit = sys.argv[1], sys.argv[2]
out = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "bounces-sisimai")

def git(*args):
    return subprocess.run(["git", "--git-dir", git_dir, *args], check=True, capture_output=True).stdout

labels = {}
for name in git("ls-tree", "--name-only", commit, "t/").decode().split():
    m = re.match(r"t/(\d+)-(lhost|rhost)-(.+)\.t$", name) or re.match(r"t/(\d+)-(rfc3464|rfc3834|arf)\.t$", name)
    if not m:
        continue
    src = git("show", f"{commit}:{name}").decode()
    engine = re.search(r"\$enginename\s*=\s*'([^']+)'", src)
    if not engine:
        continue
    prefix = f"{m.group(2)}-{engine.group(1).lower()}" if m.group(2) in ("lhost", "rhost") else engine.group(1).lower()
    body = src[src.index("$isexpected"):]
    body = body[: body.index("};")]
    for key, rows in re.findall(r"'(\d+)'\s*=>\s*\[(.*?)\]\],", body, re.S):
        file = f"{prefix}-{key}.eml"
        labels[file] = [
            {"status": r[0], "reply": r[1], "reason": r[2]}
            for r in re.findall(r"\[\s*'([^']*)'\s*,\s*'([^']*)'\s*,\s*'([^']*)'", rows + "]")
        ]

os.makedirs(out, exist_ok=True)
tree = git("ls-tree", "-r", "--name-only", commit, "set-of-emails/maildir/bsd/").decode().split()
kept = 0
for path in tree:
    base = os.path.basename(path)
    if base not in labels:
        continue
    with open(os.path.join(out, base), "wb") as f:
        f.write(git("show", f"{commit}:{path}"))
    kept += 1
with open(os.path.join(out, "LICENSE"), "wb") as f:
    f.write(git("show", f"{commit}:LICENSE"))
with open(os.path.join(out, "labels.json"), "w") as f:
    json.dump({k: labels[k] for k in sorted(labels) if os.path.exists(os.path.join(out, k))}, f, indent=0, sort_keys=True)
    f.write("\n")
print(f"{kept} samples with labels, of {len(tree)} in the set; {len(labels)} labelled names")
