#!/usr/bin/python3
"""Reference outputs of tiny BERT / RoBERTa encoders, computed with PyTorch, for symfuse's tests.

Builds tiny random models from torch.nn layers (nn.Linear, nn.LayerNorm, nn.Embedding and a small
attention written with torch ops; NOT the `transformers` library) whose module tree reproduces the
Hugging Face parameter names and whose forward reproduces HF semantics exactly:

- BERT embeddings: (word + token_type) + position, then LayerNorm; positions 0..T-1.
- RoBERTa embeddings: position ids from `ids != pad` (HF's create_position_ids_from_input_ids):
  real tokens get padding_idx+1, padding_idx+2, ...; padding tokens get padding_idx.
- The extended attention mask: (1 - mask[:, None, None, :]) * finfo(dtype).min added to the scores.
- Post-LN layers (BERT/RoBERTa); heads as in HF: BertOnlyMLMHead (transform with the config's
  activation, decoder tied to the word embeddings, bias `cls.predictions.bias`), RobertaLMHead
  (always exact GELU), BERT pooler + classifier, RobertaClassificationHead on `<s>`.
- Pre-LN (symfuse's extension, not in HF): x_a = x + MHA(LN1(x)), x_f = x_a + FFN(LN2(x_a)) with LN1 =
  `attention.output.LayerNorm`, LN2 = `output.LayerNorm`, and a final `encoder.final_layer_norm`.

Weights are drawn in float32 and saved as float32; the forward runs in float64 so the reference is
exact to f32 rounding of the stored outputs. Dropout is absent (eval mode).

Output, per variant, under packages/models/test/fixtures/reference/<variant>/:
  config.json          HF-style config (+ `symfuse_layer_norm_placement`: "pre" for pre-LN, symfuse's key)
  model.safetensors    parameters under HF names (tied decoder weight not stored)
  io.safetensors       ids/mask/type_ids (I32) [B, T]; hidden [B, T, d]; logits ([B, T, V] or
                       [B, num_labels]); tap.<site> [n, dim] for the sites in TAP_SITES, at real tokens
                       in row-major (b, t) order.

Usage: /usr/bin/python3 packages/models/scripts/torch_reference.py   (Debian's python3-torch;
the pyenv python3 on PATH does not have torch).
"""
import json
import math
import os
import struct
import sys

import torch
import torch.nn.functional as F
from torch import nn

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "reference")

# Tiny sizes, with a head size of 4 and an FFN width that is not a power of two.
VOCAB, HIDDEN, HEADS, LAYERS, FFN, MAX_POS, LABELS = 32, 16, 4, 2, 20, 16, 3
# Tap sites stored as references (a subset, to keep the fixtures small).
TAP_SITES = ["embeddings.output", "layer.0.attention.context", "layer.0.ffn.activation", "layer.1.output"]
BATCH, SEQ, LENGTHS = 3, 7, [7, 5, 3]

VARIANTS = [
    dict(name="bert-post-gelu-mlm", model_type="bert", placement="post", act="gelu", head="mlm"),
    dict(name="bert-post-relu-cls", model_type="bert", placement="post", act="relu", head="classifier"),
    dict(name="bert-pre-gelu_tanh-mlm", model_type="bert", placement="pre", act="gelu_tanh", head="mlm"),
    # FFN uses tanh-GELU; RoBERTa's lm_head uses exact GELU regardless.
    dict(name="roberta-post-gelu_tanh-mlm", model_type="roberta", placement="post", act="gelu_tanh", head="mlm"),
    dict(name="roberta-post-gelu-cls", model_type="roberta", placement="post", act="gelu", head="classifier"),
    dict(name="roberta-pre-relu-cls", model_type="roberta", placement="pre", act="relu", head="classifier"),
]

HF_ACT = {"gelu": "gelu", "gelu_tanh": "gelu_new", "relu": "relu"}


def activation(name):
    if name == "gelu":
        return lambda x: F.gelu(x)
    if name == "gelu_tanh":
        return lambda x: F.gelu(x, approximate="tanh")
    if name == "relu":
        return F.relu
    raise ValueError(name)


class Embeddings(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.model_type = cfg["model_type"]
        self.pad = cfg["pad_token_id"]
        self.word_embeddings = nn.Embedding(VOCAB, HIDDEN, padding_idx=self.pad)
        pos_pad = self.pad if self.model_type == "roberta" else None
        self.position_embeddings = nn.Embedding(MAX_POS, HIDDEN, padding_idx=pos_pad)
        self.token_type_embeddings = nn.Embedding(cfg["type_vocab_size"], HIDDEN)
        self.LayerNorm = nn.LayerNorm(HIDDEN, eps=cfg["layer_norm_eps"])

    def position_ids(self, ids):
        if self.model_type == "roberta":
            real = ids.ne(self.pad).int()
            return (torch.cumsum(real, dim=1).type_as(real) * real).long() + self.pad
        return torch.arange(ids.shape[1]).unsqueeze(0).expand_as(ids)

    def forward(self, ids, type_ids):
        e = self.word_embeddings(ids) + self.token_type_embeddings(type_ids)
        e = e + self.position_embeddings(self.position_ids(ids))
        return self.LayerNorm(e)


class SelfAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.query = nn.Linear(HIDDEN, HIDDEN)
        self.key = nn.Linear(HIDDEN, HIDDEN)
        self.value = nn.Linear(HIDDEN, HIDDEN)

    def forward(self, x, ext_mask):
        b, t, _ = x.shape
        dk = HIDDEN // HEADS
        split = lambda y: y.view(b, t, HEADS, dk).permute(0, 2, 1, 3)
        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(dk) + ext_mask
        probs = torch.softmax(scores, dim=-1)
        return torch.matmul(probs, v).permute(0, 2, 1, 3).reshape(b, t, HIDDEN)


class DenseLN(nn.Module):
    def __init__(self, d_in, eps):
        super().__init__()
        self.dense = nn.Linear(d_in, HIDDEN)
        self.LayerNorm = nn.LayerNorm(HIDDEN, eps=eps)


class Attention(nn.Module):
    def __init__(self, eps):
        super().__init__()
        setattr(self, "self", SelfAttention())  # HF's attribute is literally `self`
        self.output = DenseLN(HIDDEN, eps)


class Intermediate(nn.Module):
    def __init__(self):
        super().__init__()
        self.dense = nn.Linear(HIDDEN, FFN)


class Layer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        eps = cfg["layer_norm_eps"]
        self.pre = cfg.get("symfuse_layer_norm_placement") == "pre"
        self.act = activation(cfg["_act"])
        self.attention = Attention(eps)
        self.intermediate = Intermediate()
        self.output = DenseLN(FFN, eps)

    def forward(self, x, ext_mask, taps, i):
        att = getattr(self.attention, "self")
        out_ln = self.attention.output.LayerNorm
        if self.pre:
            ctx = att(out_ln(x), ext_mask)
            xa = x + self.attention.output.dense(ctx)
            h = self.act(self.intermediate.dense(self.output.LayerNorm(xa)))
            xf = xa + self.output.dense(h)
        else:
            ctx = att(x, ext_mask)
            xa = out_ln(self.attention.output.dense(ctx) + x)
            h = self.act(self.intermediate.dense(xa))
            xf = self.output.LayerNorm(self.output.dense(h) + xa)
        taps[f"layer.{i}.attention.context"] = ctx
        taps[f"layer.{i}.attention.residual"] = xa
        taps[f"layer.{i}.ffn.activation"] = h
        taps[f"layer.{i}.output"] = xf
        return xf


class Encoder(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.layer = nn.ModuleList([Layer(cfg) for _ in range(LAYERS)])
        if cfg.get("symfuse_layer_norm_placement") == "pre":
            self.final_layer_norm = nn.LayerNorm(HIDDEN, eps=cfg["layer_norm_eps"])

    def forward(self, x, ext_mask, taps):
        for i, layer in enumerate(self.layer):
            x = layer(x, ext_mask, taps, i)
        if hasattr(self, "final_layer_norm"):
            x = self.final_layer_norm(x)
        return x


class Pooler(nn.Module):
    def __init__(self):
        super().__init__()
        self.dense = nn.Linear(HIDDEN, HIDDEN)


class Base(nn.Module):
    def __init__(self, cfg, with_pooler):
        super().__init__()
        self.embeddings = Embeddings(cfg)
        self.encoder = Encoder(cfg)
        if with_pooler:
            self.pooler = Pooler()

    def forward(self, ids, mask, type_ids, taps):
        x = self.embeddings(ids, type_ids)
        taps["embeddings.output"] = x
        ext = (1.0 - mask[:, None, None, :].to(x.dtype)) * torch.finfo(x.dtype).min
        h = self.encoder(x, ext, taps)
        taps["encoder.output"] = h
        return h


class BertTransform(nn.Module):
    def __init__(self, eps):
        super().__init__()
        self.dense = nn.Linear(HIDDEN, HIDDEN)
        self.LayerNorm = nn.LayerNorm(HIDDEN, eps=eps)


class BertPredictions(nn.Module):
    def __init__(self, eps):
        super().__init__()
        self.transform = BertTransform(eps)
        self.bias = nn.Parameter(torch.zeros(VOCAB))


class BertCls(nn.Module):
    def __init__(self, eps):
        super().__init__()
        self.predictions = BertPredictions(eps)


class RobertaLMHead(nn.Module):
    def __init__(self, eps):
        super().__init__()
        self.dense = nn.Linear(HIDDEN, HIDDEN)
        self.layer_norm = nn.LayerNorm(HIDDEN, eps=eps)
        self.bias = nn.Parameter(torch.zeros(VOCAB))


class RobertaClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.dense = nn.Linear(HIDDEN, HIDDEN)
        self.out_proj = nn.Linear(HIDDEN, LABELS)


class Model(nn.Module):
    def __init__(self, cfg, variant):
        super().__init__()
        self.mt = variant["model_type"]
        self.head = variant["head"]
        self.act = activation(cfg["_act"])
        eps = cfg["layer_norm_eps"]
        # BertForMaskedLM / RobertaFor* have no pooler; BertForSequenceClassification has one.
        base = Base(cfg, with_pooler=(self.mt == "bert" and self.head == "classifier"))
        setattr(self, self.mt, base)
        if self.head == "mlm":
            if self.mt == "bert":
                self.cls = BertCls(eps)
            else:
                self.lm_head = RobertaLMHead(eps)
        elif self.mt == "bert":
            self.classifier = nn.Linear(HIDDEN, LABELS)
        else:
            self.classifier = RobertaClassifier()

    def forward(self, ids, mask, type_ids, taps):
        base = getattr(self, self.mt)
        h = base(ids, mask, type_ids, taps)
        word = base.embeddings.word_embeddings.weight
        if self.head == "mlm":
            if self.mt == "bert":
                p = self.cls.predictions
                t = p.transform.LayerNorm(self.act(p.transform.dense(h)))
                return h, t @ word.t() + p.bias  # decoder tied to the word embeddings
            lm = self.lm_head
            t = lm.layer_norm(F.gelu(lm.dense(h)))  # RobertaLMHead: exact gelu, whatever hidden_act
            return h, t @ word.t() + lm.bias
        first = h[:, 0, :]
        if self.mt == "bert":
            return h, self.classifier(torch.tanh(base.pooler.dense(first)))
        c = self.classifier
        return h, c.out_proj(torch.tanh(c.dense(first)))


def make_config(v):
    bert = v["model_type"] == "bert"
    arch = ("Bert" if bert else "Roberta") + ("ForMaskedLM" if v["head"] == "mlm" else "ForSequenceClassification")
    cfg = {
        "architectures": [arch],
        "model_type": v["model_type"],
        "vocab_size": VOCAB,
        "hidden_size": HIDDEN,
        "num_hidden_layers": LAYERS,
        "num_attention_heads": HEADS,
        "intermediate_size": FFN,
        "hidden_act": HF_ACT[v["act"]],
        "max_position_embeddings": MAX_POS,
        "type_vocab_size": 2 if bert else 1,
        "layer_norm_eps": 1e-12 if bert else 1e-5,
        "pad_token_id": 0 if bert else 1,
        "bos_token_id": 0,
        "eos_token_id": 2,
        "initializer_range": 0.02,
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "position_embedding_type": "absolute",
    }
    if v["head"] == "classifier":
        cfg["id2label"] = {str(i): f"LABEL_{i}" for i in range(LABELS)}
        cfg["label2id"] = {f"LABEL_{i}": i for i in range(LABELS)}
    if v["placement"] == "pre":
        cfg["symfuse_layer_norm_placement"] = "pre"
    return cfg


def randomize(model, gen):
    """Weights large enough that every parameter matters (HF's 0.02 init would hide mistakes)."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("LayerNorm.weight") or name.endswith("layer_norm.weight"):
                p.copy_(1 + 0.2 * torch.randn(p.shape, generator=gen))
            elif "embeddings" in name:
                p.copy_(torch.randn(p.shape, generator=gen))
            elif name.endswith("weight"):
                p.copy_(torch.randn(p.shape, generator=gen) / math.sqrt(p.shape[1]))
            else:
                p.copy_(0.2 * torch.randn(p.shape, generator=gen))


def make_inputs(cfg, gen):
    pad = cfg["pad_token_id"]
    bos = 2 if cfg["model_type"] == "bert" else 0  # [CLS] / <s>
    ids = torch.full((BATCH, SEQ), pad, dtype=torch.long)
    mask = torch.zeros((BATCH, SEQ), dtype=torch.long)
    types = torch.zeros((BATCH, SEQ), dtype=torch.long)
    for b, n in enumerate(LENGTHS):
        ids[b, 0] = bos
        ids[b, 1:n] = torch.randint(3, VOCAB, (n - 1,), generator=gen)
        mask[b, :n] = 1
        if cfg["type_vocab_size"] > 1:
            types[b, (n + 1) // 2 : n] = 1  # a second segment
    return ids, mask, types


def write_safetensors(path, tensors, metadata=None):
    """Minimal safetensors writer: u64 header length, JSON header (space-padded to 8 bytes), data."""
    codes = {torch.float32: ("F32", "<f4"), torch.int32: ("I32", "<i4")}
    header, chunks, offset = {}, [], 0
    for name, t in tensors.items():
        code, np_dtype = codes[t.dtype]
        data = t.detach().contiguous().numpy().astype(np_dtype).tobytes()
        header[name] = {"dtype": code, "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    if metadata:
        header["__metadata__"] = metadata
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * ((8 - len(raw) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for c in chunks:
            f.write(c)


def main():
    for k, v in enumerate(VARIANTS):
        gen = torch.Generator().manual_seed(1234 + k)
        cfg = make_config(v)
        model = Model({**cfg, "_act": v["act"]}, v)
        randomize(model, gen)
        ids, mask, types = make_inputs(cfg, gen)
        params = {n: p.detach().clone() for n, p in model.state_dict().items()}
        taps = {}
        with torch.no_grad():
            hidden, logits = model.double()(ids, mask, types, taps)
        real = mask.reshape(-1).bool()
        out = {
            "ids": ids.int(),
            "mask": mask.int(),
            "type_ids": types.int(),
            "hidden": hidden.float(),
            "logits": logits.float(),
        }
        for site in TAP_SITES:
            t = taps[site]
            out[f"tap.{site}"] = t.reshape(-1, t.shape[-1])[real].float()
        d = os.path.join(OUT_DIR, v["name"])
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "config.json"), "w") as f:
            json.dump(cfg, f, indent=2)
            f.write("\n")
        write_safetensors(os.path.join(d, "model.safetensors"), {n: t.float() for n, t in params.items()}, {"format": "pt"})
        write_safetensors(os.path.join(d, "io.safetensors"), out, {"torch": torch.__version__})
        print(f"{v['name']}: {len(params)} params, logits {list(logits.shape)}", file=sys.stderr)


if __name__ == "__main__":
    main()
