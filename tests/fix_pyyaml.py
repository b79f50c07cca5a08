"""PyYAML's reading of the files `ebguard check --fix` changed (driven by tests/fix.rs).

EB's side of a deployment is Python (cfn-init runs the commands, eb-facts §2.2) and the guide
links YAML 1.1 (§1.1); which parser EB's service uses is not documented (open question 3).
PyYAML is the YAML 1.1 loader of Python, so a fix is right only if PyYAML reads the fixed file
as the original plus exactly the intended change. For each pair in the manifest (argv[1], JSON) this checks, with `yaml.safe_load`
(plus CloudFormation's `!Ref`-style tags, which EB accepts):

1. PyYAML reads the original and the fixed file as ebguard's `yaml::data` does (same keys in
   the same order, same types), so ebguard's data comparison is PyYAML's;
2. the fixed file's data is the original's with the listed changes applied, and nothing else.

Prints each disagreement and exits 1 if there is any.
"""

import copy
import datetime
import json
import sys

import yaml


class Tagged:
    """A value with a local tag (`!Ref X`)."""

    def __init__(self, tag, value):
        self.tag, self.value = tag, value

    def __eq__(self, other):
        return isinstance(other, Tagged) and (self.tag, self.value) == (other.tag, other.value)

    def __repr__(self):
        return f"{self.tag} {self.value!r}"


class Loader(yaml.SafeLoader):
    pass


def construct_tagged(loader, suffix, node):
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return Tagged("!" + suffix, value)


Loader.add_multi_constructor("!", construct_tagged)


def load(path):
    with open(path, encoding="utf-8") as f:
        return yaml.load(f, Loader=Loader)


def canonical(value):
    """The JSON shape `Data::json` gives the same value."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return value if -(2**63) <= value < 2**63 else {"int": str(value)}
    if isinstance(value, float):
        return {"float": value}
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, Tagged):
        return {"tag": value.tag, "value": canonical(value.value)}
    if isinstance(value, list):
        return [canonical(v) for v in value]
    if isinstance(value, dict):
        return {"map": [[canonical(k), canonical(v)] for k, v in value.items()]}
    raise TypeError(f"unexpected {type(value).__name__}: {value!r}")


def same(py, rust):
    """Whether PyYAML's canonical value equals ebguard's; floats compare as numbers, since
    ebguard keeps a float as written."""
    if isinstance(py, dict) and isinstance(rust, dict):
        if "float" in py and "float" in rust:
            return py["float"] == float(rust["float"]) or (
                py["float"] != py["float"] and "nan" in rust["float"].lower()
            )
        if py.keys() != rust.keys():
            return False
        return all(same(py[k], rust[k]) for k in py)
    if isinstance(py, list) and isinstance(rust, list):
        return len(py) == len(rust) and all(same(a, b) for a, b in zip(py, rust))
    return type(py) is type(rust) and py == rust


def value_of(rust):
    """A Python value from `Data::json`."""
    if isinstance(rust, list):
        return [value_of(v) for v in rust]
    if isinstance(rust, dict):
        if "map" in rust:
            return {value_of(k): value_of(v) for k, v in rust["map"]}
        if "float" in rust:
            return float(rust["float"])
        if "int" in rust:
            return int(rust["int"])
        if "tag" in rust:
            return Tagged(rust["tag"], value_of(rust["value"]))
    return rust


def segment(key):
    """A key as `yaml::data` writes it in a path."""
    if isinstance(key, str):
        return key
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    return str(key)


def apply(data, change):
    *parents, last = change["path"]
    node = data
    for step in parents:
        node = node[int(step)] if isinstance(node, list) else node[find(node, step)]
    if isinstance(node, list):
        index = int(last)
        if change["op"] == "removed":
            del node[index]
        elif change["op"] == "added":
            node.insert(index, value_of(change["value"]))
        else:
            node[index] = value_of(change["value"])
        return
    if change["op"] == "removed":
        del node[find(node, last)]
    elif change["op"] == "added":
        node[value_of(last)] = value_of(change["value"])
    else:
        node[find(node, last)] = value_of(change["value"])


def find(mapping, step):
    for key in mapping:
        if segment(key) == step:
            return key
    raise KeyError(step)


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        pairs = json.load(f)
    problems = []
    for pair in pairs:
        name = pair["name"]
        try:
            before, after = load(pair["before"]), load(pair["after"])
        except yaml.YAMLError as e:
            problems.append(f"{name}: PyYAML cannot read it: {e}")
            continue
        for side, data, ours in (
            ("original", before, pair["before_data"]),
            ("fixed", after, pair["after_data"]),
        ):
            if not same(canonical(data), ours):
                problems.append(
                    f"{name}: PyYAML reads the {side} file differently from ebguard:\n"
                    f"  PyYAML:  {json.dumps(canonical(data))}\n"
                    f"  ebguard: {json.dumps(ours)}"
                )
        expected = copy.deepcopy(before)
        try:
            for change in pair["changes"]:
                apply(expected, change)
        except (KeyError, IndexError, ValueError, TypeError) as e:
            problems.append(f"{name}: a change does not apply to PyYAML's data: {e!r}")
            continue
        if expected != after:
            problems.append(
                f"{name}: the fixed file is not the original plus {pair['changes']}:\n"
                f"  expected: {expected!r}\n  PyYAML:   {after!r}"
            )
    for problem in problems:
        print(problem)
    print(f"PyYAML {yaml.__version__}: {len(pairs) - len(problems)} of {len(pairs)} files (original and fixed) read as intended")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
