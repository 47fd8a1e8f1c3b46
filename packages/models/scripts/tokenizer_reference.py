#!/usr/bin/env python3
"""Cross-checks symfuse's tokenizers against Hugging Face `tokenizers` (Rust) and `transformers`.

Needs, in the virtual environment described in safetensors_reference.py:

    /tmp/symfuse-py/bin/pip install tokenizers==0.23.2 transformers==5.18.0

Commands (from the repository root):

    # 1. Regenerate the committed fixtures read by packages/models/test/tokenizer-reference.test.ts:
    #    HF-trained WordPiece and byte-level BPE tokenizers with the Rust encodings of sentences.json,
    #    and the Rust encodings of the tokenizer symfuse's trainer wrote into ours-wordpiece/.
    node --import tsx packages/models/scripts/write-tokenizer-samples.ts packages/models/test/fixtures/tokenizer/ours-wordpiece
    /tmp/symfuse-py/bin/python packages/models/scripts/tokenizer_reference.py fixtures packages/models/test/fixtures/tokenizer

    # 2. Verify a directory written by symfuse (tokenizer files + ours.json with our encodings):
    node --import tsx packages/models/scripts/write-tokenizer-samples.ts /tmp/symfuse-tok
    /tmp/symfuse-py/bin/python packages/models/scripts/tokenizer_reference.py verify /tmp/symfuse-tok
"""
import json
import os
import sys

from tokenizers import AddedToken, BertWordPieceTokenizer, ByteLevelBPETokenizer, Tokenizer
from transformers import AutoTokenizer, BertTokenizerFast, RobertaTokenizerFast


def encodings(tok, sentences):
    """Rust encodings (with special tokens) and decodings (without) of every sentence."""
    out = []
    for s in sentences:
        e = tok.encode(s)
        out.append({"ids": e.ids, "tokens": e.tokens, "type_ids": e.type_ids, "decoded": tok.decode(e.ids, skip_special_tokens=True)})
    pair = tok.encode(sentences[0], sentences[1])
    return {"single": out, "pair": {"ids": pair.ids, "type_ids": pair.type_ids}}


def write_json(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=1)
        f.write("\n")


def fixtures(root):
    corpus = os.path.join(root, "english.txt")
    sentences = json.load(open(os.path.join(root, "sentences.json"), encoding="utf-8"))

    wp = BertWordPieceTokenizer(lowercase=True)
    wp.train([corpus], vocab_size=300, min_frequency=2, special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"])
    fast = BertTokenizerFast(tokenizer_object=wp._tokenizer, cls_token="[CLS]", sep_token="[SEP]", pad_token="[PAD]", mask_token="[MASK]", unk_token="[UNK]", model_max_length=128)
    d = os.path.join(root, "hf-wordpiece")
    fast.save_pretrained(d)
    write_json(os.path.join(d, "rust-encodings.json"), encodings(Tokenizer.from_file(os.path.join(d, "tokenizer.json")), sentences))

    bpe = ByteLevelBPETokenizer()
    bpe.train([corpus], vocab_size=400, min_frequency=2, special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"])
    fast = RobertaTokenizerFast(
        tokenizer_object=bpe._tokenizer,
        bos_token="<s>",
        eos_token="</s>",
        sep_token="</s>",
        cls_token="<s>",
        unk_token="<unk>",
        pad_token="<pad>",
        mask_token=AddedToken("<mask>", lstrip=True, rstrip=False),
        model_max_length=128,
    )
    d = os.path.join(root, "roberta-bpe")
    fast.save_pretrained(d)
    # roberta-base's <mask> strips the space before it; set that flag in tokenizer.json itself.
    path = os.path.join(d, "tokenizer.json")
    data = json.load(open(path, encoding="utf-8"))
    for t in data["added_tokens"]:
        if t["content"] == "<mask>":
            t["lstrip"] = True
    write_json(path, data)
    write_json(os.path.join(d, "rust-encodings.json"), encodings(Tokenizer.from_file(os.path.join(d, "tokenizer.json")), sentences))

    ours = os.path.join(root, "ours-wordpiece")
    if os.path.exists(os.path.join(ours, "tokenizer.json")):
        write_json(os.path.join(ours, "rust-encodings.json"), encodings(Tokenizer.from_file(os.path.join(ours, "tokenizer.json")), sentences))
        # transformers must load the whole directory (tokenizer_config.json etc.) too.
        AutoTokenizer.from_pretrained(ours)
    print(f"wrote tokenizer fixtures under {root}")


def verify(d):
    """Compares our encodings (ours.json) with Rust's and transformers' for the tokenizer in D."""
    ours = json.load(open(os.path.join(d, "ours.json"), encoding="utf-8"))
    rust = Tokenizer.from_file(os.path.join(d, "tokenizer.json"))
    auto = AutoTokenizer.from_pretrained(d)
    passed = failed = 0
    for item in ours["single"]:
        s = item["text"]
        e = rust.encode(s)
        t = auto(s)["input_ids"]
        problems = []
        if e.ids != item["ids"]:
            problems.append(f"rust ids {e.tokens} != ours {item['tokens']}")
        if t != item["ids"]:
            problems.append("transformers ids differ")
        if problems:
            failed += 1
            print(f"FAIL {s!r}: " + "; ".join(problems))
        else:
            passed += 1
    vocab = [l.rstrip("\n") for l in open(os.path.join(d, "vocab.txt"), encoding="utf-8")]
    if len(vocab) != rust.get_vocab_size() or any(rust.token_to_id(t) != i for i, t in enumerate(vocab)):
        failed += 1
        print("FAIL vocab.txt does not match tokenizer.json")
    else:
        passed += 1
    if auto.cls_token != "[CLS]" or auto.mask_token_id != rust.token_to_id("[MASK]") or auto.pad_token_id != 0:
        failed += 1
        print(f"FAIL special tokens as transformers reads them: {auto.special_tokens_map}")
    else:
        passed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("fixtures", "verify"):
        print(__doc__)
        sys.exit(2)
    sys.exit(fixtures(sys.argv[2]) or 0 if sys.argv[1] == "fixtures" else verify(sys.argv[2]))
