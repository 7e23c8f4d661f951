"""Scores relabel's label-issue flags and the argmax baseline against the
injected flips.  usage: detect_score.py DIR PROJECT.db KIND SECONDS"""
import csv
import sqlite3
import sys

import numpy as np


def prf(flag, wrong):
    tp = int(np.sum(flag & wrong))
    p = tp / max(int(flag.sum()), 1)
    r = tp / max(int(wrong.sum()), 1)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def main():
    d, db, kind, secs = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
    truth = {r["id"]: r["label"] for r in csv.DictReader(open(f"{d}/truth.csv"))}
    ids, given, issue = [], [], []
    for r in csv.DictReader(open(f"{d}/rank.csv")):
        ids.append(r["id"])
        given.append(r["label"])
        issue.append(r["issue"] == "1")
    wrong = np.array([truth[i] != g for i, g in zip(ids, given)])
    issue = np.array(issue)
    con = sqlite3.connect(db)
    names = [r[0] for r in con.execute("select name from classes order by id")]
    rows = con.execute("select i.ext_id, s.probs from scores s join items i "
                       "on i.id = s.item where s.run = (select max(id) from runs)")
    arg = {e: int(np.argmax(np.frombuffer(p, dtype=np.float32))) for e, p in rows}
    base = np.array([names[arg[i]] != g for i, g in zip(ids, given)])
    p, r, f = prf(issue, wrong)
    bp, br, bf = prf(base, wrong)
    n = len(ids)
    print(f"{kind} 30%: {n} items, {int(wrong.sum())} wrong; relabel issues "
          f"P {p:.3f} R {r:.3f} F1 {f:.3f}; argmax baseline P {bp:.3f} "
          f"R {br:.3f} F1 {bf:.3f}; import to ranked queue {secs:.1f} s")
    print(f"ROW\tdetect {kind}-30% F1 (vs argmax)\t{f:.3f}\t{bf:.3f}\t"
          f"{f - bf:+.3f}\thigher")
    print(f"ROW\tdetect {kind}-30% precision / recall\t{p:.3f} / {r:.3f}\t"
          f"{bp:.3f} / {br:.3f}\t-\t-")
    print(f"ROW\tdetect {kind}-30% import to queue (s, {n} items)\t{secs:.1f}\t-\t-\t-")


main()
