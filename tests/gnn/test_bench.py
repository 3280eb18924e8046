import json

import numpy as np

from gnn.bench import load_split, main


def write_split(root, synthetic):
    data = synthetic(num_users=40, num_items=60, per_user=8)
    pos = data.weight > 0
    user, item = data.user[pos], data.item[pos]
    cold = np.arange(54, 60)
    lines_train, lines_test, lines_cold = [], [], []
    for u in range(data.num_users):
        mine = item[user == u]
        warm = mine[~np.isin(mine, cold)]
        lines_train.append(f"{u} " + " ".join(map(str, warm[:-2])))
        lines_test.append(f"{u} " + " ".join(map(str, warm[-2:])))
        if np.isin(mine, cold).any():
            lines_cold.append(f"{u} " + " ".join(map(str, mine[np.isin(mine, cold)])))
    (root / "train.txt").write_text("\n".join(lines_train) + "\n")
    (root / "test.txt").write_text("\n".join(lines_test) + "\n")
    (root / "test_cold.txt").write_text("\n".join(lines_cold) + "\n")
    (root / "cold_items.txt").write_text("\n".join(map(str, cold)) + "\n")
    rows = ["item_id\tmovie_id\ttitle\tyear\tgenres\ttags"]
    for i in range(data.num_items):
        genre = ["Scifi", "Garden", "Music"][i % 3]
        rows.append(f"{i}\t{i}\t{data.item_text[i]}\t1999\t{genre}|Drama\tt{i % 3}")
    (root / "items.tsv").write_text("\n".join(rows) + "\n")


def test_load_split_reads_content(tmp_path, synthetic):
    write_split(tmp_path, synthetic)
    data, test, extra = load_split(tmp_path)
    assert data.num_items == 60 and data.item_text[0].startswith("space rocket")
    assert data.num_tags == 3 + 3 + 1  # genres (incl. Drama) and user tags
    assert len(extra["cold_items"]) == 6 and extra["cold_test"]


def test_bench_cli_writes_lists_and_json(tmp_path, synthetic, capsys):
    data_dir = tmp_path / "split"
    data_dir.mkdir()
    write_split(data_dir, synthetic)
    top, cold, out = tmp_path / "top.txt", tmp_path / "cold.txt", tmp_path / "r.json"
    rc = main(
        [
            "--data",
            str(data_dir),
            "--minutes",
            "0.05",
            "--topk-out",
            str(top),
            "--cold-out",
            str(cold),
            "--json-out",
            str(out),
            "--baselines",
            "popularity",
            "tag_cosine",
            "pyg_lightgcn",
            "--pyg-minutes",
            "0.02",
            "--no-progress",
        ]
    )
    assert rc == 0
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert report == json.loads(out.read_text())
    assert 0 <= report["ours"]["recall@20"] <= 1
    assert set(report["baselines"]) == {"popularity", "tag_cosine", "pyg_lightgcn"}
    assert 0 <= report["baselines"]["popularity"]["recall@20"] <= 1
    assert "cold" in report["baselines"]["tag_cosine"] and "cold" in report["ours"]
    assert report["ours"]["choice"]["rank"] >= 1 and report["ours"]["seconds"] > 0
    train = {
        int(line.split()[0]): set(line.split()[1:])
        for line in (data_dir / "train.txt").read_text().splitlines()
    }
    lines = top.read_text().splitlines()
    assert len(lines) == 40
    for line in lines:
        u, *items = line.split()
        assert len(items) == 20 and len(set(items)) == 20 and not set(items) & train[int(u)]
    cold_ids = set((data_dir / "cold_items.txt").read_text().split())
    for line in cold.read_text().splitlines():
        assert set(line.split()[1:]) <= cold_ids
