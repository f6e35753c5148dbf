#!/usr/bin/env python3
"""Counts test cases in a meson testlog.json (cmocka and node:test output)."""
import json
import re
import sys

passed = failed = skipped = 0
with open(sys.argv[1], encoding="utf-8") as f:
    for line in f:
        t = json.loads(line)
        out = t.get("stdout", "") or ""
        counted = False
        # node --test (TAP): "# pass N" / "# fail N" / "# skipped N"
        m_pass = re.findall(r"^# pass (\d+)$", out, re.M)
        m_fail = re.findall(r"^# fail (\d+)$", out, re.M)
        if m_pass or m_fail:
            passed += int(m_pass[-1]) if m_pass else 0
            failed += int(m_fail[-1]) if m_fail else 0
            sk = re.findall(r"^# skipped (\d+)$", out, re.M)
            skipped += int(sk[-1]) if sk else 0
            counted = True
        # cmocka: "[  PASSED  ] N test(s)." / "[  FAILED  ] N test(s)"
        c_pass = re.findall(r"\[  PASSED  \] (\d+) test", out)
        c_fail = re.findall(r"\[  FAILED  \] (\d+) test", out)
        if c_pass or c_fail:
            passed += sum(map(int, c_pass))
            failed += sum(map(int, c_fail))
            counted = True
        if not counted:
            if t.get("result") == "OK":
                passed += 1
            elif t.get("result") == "SKIP":
                skipped += 1
            else:
                failed += 1
        elif t.get("result") not in ("OK", "SKIP") and not (m_fail and int(m_fail[-1])) and not c_fail:
            failed += 1  # crashed or timed out after its cases passed
print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
