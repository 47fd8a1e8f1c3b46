#!/usr/bin/env python3
"""Cross-checks symfuse's config.json parser/serializer against Hugging Face `transformers`.

Needs transformers (5.x; torch is not needed for configs) in the virtual environment described in
safetensors_reference.py:

    /tmp/symfuse-py/bin/pip install transformers==5.18.0

Commands (from the repository root):

    # 1. Regenerate the committed fixtures read by packages/models/test/config-reference.test.ts
    /tmp/symfuse-py/bin/python packages/models/scripts/config_reference.py fixtures packages/models/test/fixtures/config

    # 2. Check that transformers loads configs written by symfuse with the intended values
    node --import tsx packages/models/scripts/write-config-samples.ts /tmp/symfuse-cfg
    /tmp/symfuse-py/bin/python packages/models/scripts/config_reference.py verify /tmp/symfuse-cfg
"""
import json
import os
import sys

from transformers import AutoConfig, BertConfig, RobertaConfig

# The attributes symfuse reads, as transformers exposes them.
FIELDS = [
    "model_type",
    "vocab_size",
    "hidden_size",
    "num_hidden_layers",
    "num_attention_heads",
    "intermediate_size",
    "hidden_act",
    "max_position_embeddings",
    "type_vocab_size",
    "layer_norm_eps",
    "pad_token_id",
    "bos_token_id",
    "eos_token_id",
    "num_labels",
    "problem_type",
    "hidden_dropout_prob",
    "attention_probs_dropout_prob",
    "classifier_dropout",
    "initializer_range",
    "tie_word_embeddings",
]


def summary(cfg):
    out = {f: getattr(cfg, f, None) for f in FIELDS}
    out["architectures"] = list(cfg.architectures or [])
    out["id2label"] = [cfg.id2label[i] for i in range(cfg.num_labels)]
    out["label2id"] = dict(cfg.label2id)
    return out


def reference_configs():
    return {
        # What save_pretrained writes for a default BERT MLM (only non-default keys are omitted).
        "bert-mlm": BertConfig(architectures=["BertForMaskedLM"]),
        "roberta-sst": RobertaConfig(
            architectures=["RobertaForSequenceClassification"],
            vocab_size=50265,
            max_position_embeddings=514,
            layer_norm_eps=1e-5,
            type_vocab_size=1,
            id2label={0: "negative", 1: "neutral", 2: "positive"},
            label2id={"negative": 0, "neutral": 1, "positive": 2},
            problem_type="single_label_classification",
        ),
        "bert-tiny-regression": BertConfig(
            architectures=["BertForSequenceClassification"],
            vocab_size=1000,
            hidden_size=64,
            num_hidden_layers=2,
            num_attention_heads=4,
            intermediate_size=128,
            hidden_act="gelu_new",
            max_position_embeddings=128,
            num_labels=1,
            problem_type="regression",
            classifier_dropout=0.2,
        ),
        "roberta-base-model": RobertaConfig(architectures=["RobertaModel"], hidden_act="gelu_pytorch_tanh"),
    }


def fixtures(out):
    os.makedirs(out, exist_ok=True)
    expected = {}
    for name, cfg in reference_configs().items():
        d = os.path.join(out, name)
        cfg.save_pretrained(d)
        # Keep the fixture stable across transformers versions.
        path = os.path.join(d, "config.json")
        data = json.load(open(path))
        data.pop("transformers_version", None)
        with open(path, "w") as f:
            f.write(json.dumps(data, indent=2, sort_keys=True) + "\n")
        expected[name] = summary(AutoConfig.from_pretrained(d))
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")
    print(f"wrote {len(expected)} configs to {out}")


def verify(d):
    expected = json.load(open(os.path.join(d, "expected.json")))
    passed = failed = 0
    for name, want in expected.items():
        got = summary(AutoConfig.from_pretrained(os.path.join(d, name)))
        diffs = [f"{k}: {got.get(k)!r} != {v!r}" for k, v in want.items() if got.get(k) != v]
        if diffs:
            failed += 1
            print(f"FAIL {name}: " + "; ".join(diffs))
        else:
            passed += 1
            print(f"ok   {name}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("fixtures", "verify"):
        print(__doc__)
        sys.exit(2)
    sys.exit(fixtures(sys.argv[2]) or 0 if sys.argv[1] == "fixtures" else verify(sys.argv[2]))
