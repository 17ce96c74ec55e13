"""python -m crowdsafe compare A.yaml B.yaml --seeds N"""

import subprocess
import sys

from conftest import room


def crowdsafe_cli(*args):
    return subprocess.run([sys.executable, "-m", "crowdsafe", *args], capture_output=True, text=True, timeout=300)


def test_compare_on_the_command_line(tmp_path):
    a = room(door_m=0.8, count=30).save(tmp_path / "narrow.yaml")
    b = room(door_m=2.4, count=30).save(tmp_path / "wide.yaml")
    done = crowdsafe_cli("compare", str(a), str(b), "--seeds", "3", "--duration", "60")
    assert done.returncode == 0, done.stderr
    assert f"A = {a}" in done.stdout and f"B = {b}" in done.stdout
    assert "verdict" in done.stdout
    row = next(line for line in done.stdout.splitlines() if line.startswith("evacuation_time_p50_s"))
    assert row.rstrip().endswith("B better")


def test_compare_reports_invalid_input_with_its_location(source_dir, tmp_path):
    bad = source_dir / "scenarios" / "invalid" / "negative_count.yaml"
    good = room().save(tmp_path / "room.yaml")
    done = crowdsafe_cli("compare", str(good), str(bad), "--seeds", "2")
    assert done.returncode == 2
    assert f"{bad}:" in done.stderr and "groups[0].count" in done.stderr


def test_version():
    done = crowdsafe_cli("--version")
    assert done.returncode == 0 and done.stdout.startswith("crowdsafe ")
