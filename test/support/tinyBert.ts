/**
 * Writes a BERT-style model folder that transformers.js loads exactly like a real one (no model can be
 * downloaded here): config.json, a WordPiece tokenizer, and an ONNX graph (opset 17) with random but
 * seeded weights, as onnx/model.onnx (fp32) and onnx/model_quantized.onnx (uint8 weights through
 * DynamicQuantizeLinear + MatMulInteger, as onnxruntime's dynamic quantization writes them).
 * Its vectors mean nothing; its shapes, files and cost are a real model's.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { onnx } from 'onnx-proto';

export interface BertShape {
  layers: number;
  hidden: number;
  heads: number;
  intermediate: number;
  vocab: number;
  maxPositions: number;
}

/** Small and fast, for tests. */
export const TINY_BERT: BertShape = { layers: 2, hidden: 64, heads: 4, intermediate: 128, vocab: 1000, maxPositions: 128 };
/** The shapes of sentence-transformers/all-MiniLM-L6-v2: its size and compute cost, for benchmarks. */
export const MINILM_SHAPED: BertShape = { layers: 6, hidden: 384, heads: 12, intermediate: 1536, vocab: 30522, maxPositions: 512 };

/** Writes `<root>/<modelId>/…` and returns that folder. */
export function writeTinyBert(root: string, modelId: string, shape: BertShape = TINY_BERT, seed = 1): string {
  const dir = join(root, modelId);
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  const vocab = vocabulary(shape.vocab);
  writeJson(join(dir, 'config.json'), config(shape));
  writeJson(join(dir, 'tokenizer.json'), tokenizer(vocab));
  writeJson(join(dir, 'tokenizer_config.json'), tokenizerConfig(shape));
  writeFileSync(join(dir, 'onnx', 'model.onnx'), bertModel(shape, seed, false));
  writeFileSync(join(dir, 'onnx', 'model_quantized.onnx'), bertModel(shape, seed, true));
  return dir;
}

/** Words the vocabulary holds whole, so texts made of them tokenize to about one token per word. */
export const VOCABULARY_WORDS = (
  'the of and to in is was for on that with as by at from it be are this an or which his her they we you ' +
  'not but have had has all one two new more most some can will would about into over after before under ' +
  'between through during without again also only very just than then there here when where what who how ' +
  'time year day night people world house city water fire tree river mountain road car train ship plane ' +
  'cat dog bird fish horse cow food bread milk tea coffee apple orange music song book paper story film ' +
  'game team player ball goal school student teacher lesson computer program code data model memory file ' +
  'search vector text word sentence language agent tool task plan note run test error result answer question ' +
  'good bad big small old young long short high low fast slow hot cold red blue green black white happy sad ' +
  'make take give find know think see come go get use work call try ask need feel become leave put mean keep ' +
  'rain snow sun wind storm weather summer winter spring autumn morning evening'
).split(' ');

/** Real BERT's special token ids, then single characters, word pieces, whole words, and [unused] filler. */
function vocabulary(size: number): string[] {
  const chars = 'abcdefghijklmnopqrstuvwxyz0123456789.,;:!?\'"()-/'.split('');
  const tokens = [...chars, ...chars.map((c) => `##${c}`), '##s', '##ed', '##ing', '##er', '##ly', ...VOCABULARY_WORDS];
  const vocab = Array.from({ length: size }, (_, id) => `[unused${id}]`);
  Object.assign(vocab, { 0: '[PAD]', 100: '[UNK]', 101: '[CLS]', 102: '[SEP]', 103: '[MASK]' });
  tokens.slice(0, size - 104).forEach((token, i) => (vocab[104 + i] = token));
  return vocab;
}

function config(shape: BertShape) {
  return {
    model_type: 'bert',
    architectures: ['BertModel'],
    hidden_size: shape.hidden,
    num_attention_heads: shape.heads,
    num_hidden_layers: shape.layers,
    intermediate_size: shape.intermediate,
    vocab_size: shape.vocab,
    max_position_embeddings: shape.maxPositions,
    type_vocab_size: 2,
    layer_norm_eps: 1e-12,
    hidden_act: 'gelu',
    pad_token_id: 0,
  };
}

function tokenizerConfig(shape: BertShape) {
  return {
    tokenizer_class: 'BertTokenizer',
    do_lower_case: true,
    model_max_length: shape.maxPositions,
    clean_up_tokenization_spaces: true,
    cls_token: '[CLS]',
    sep_token: '[SEP]',
    pad_token: '[PAD]',
    unk_token: '[UNK]',
    mask_token: '[MASK]',
  };
}

/** The Hugging Face tokenizers JSON of an uncased BERT WordPiece tokenizer. */
function tokenizer(vocab: string[]) {
  const special = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
  const ids = Object.fromEntries(vocab.map((token, id) => [token, id]));
  const token = (id: string) => ({ SpecialToken: { id, type_id: 0 } });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: special.map((content) => ({ id: ids[content], content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [token('[CLS]'), { Sequence: { id: 'A', type_id: 0 } }, token('[SEP]')],
      pair: [token('[CLS]'), { Sequence: { id: 'A', type_id: 0 } }, token('[SEP]'), { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: { id: '[SEP]', type_id: 1 } }],
      special_tokens: Object.fromEntries(['[CLS]', '[SEP]'].map((t) => [t, { id: t, ids: [ids[t]], tokens: [t] }])),
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: ids },
  };
}

// ---- the ONNX graph -------------------------------------------------------------------------

const { DataType } = onnx.TensorProto;
const { AttributeType } = onnx.AttributeProto;

/** The encoder: embeddings, then `layers` × (masked self-attention, GELU feed-forward), post-LayerNorm as in BERT. */
function bertModel(shape: BertShape, seed: number, quantized: boolean): Uint8Array {
  const g = new GraphBuilder(seededNormal(seed), quantized);
  const { hidden: h, heads } = shape;
  const headSize = h / heads;
  const sequenceLength = g.op('Gather', [g.op('Shape', ['input_ids']), g.int64('one_index', [], [1])], [intAttr('axis', 0)]);
  const positions = g.op('Range', [g.int64('zero', [], [0]), sequenceLength, g.int64('step', [], [1])]);
  const embedded = g.add(
    g.add(g.op('Gather', [g.random('word_embeddings', [shape.vocab, h]), 'input_ids']), g.op('Gather', [g.random('position_embeddings', [shape.maxPositions, h]), positions])),
    g.op('Gather', [g.random('token_type_embeddings', [2, h]), 'token_type_ids']),
  );
  let x = g.layerNorm(embedded, h);
  // Padding gets -10000 before the softmax: [batch, 1, 1, sequence], broadcast over heads and queries.
  const padding = g.op('Sub', [g.float('one', [], [1]), g.op('Cast', ['attention_mask'], [intAttr('to', DataType.FLOAT)])]);
  const maskBias = g.op('Unsqueeze', [g.op('Mul', [padding, g.float('minus_big', [], [-10000])]), g.int64('mask_axes', [2], [1, 2])]);
  const splitHeads = g.int64('split_heads', [4], [0, 0, heads, headSize]);
  const mergeHeads = g.int64('merge_heads', [3], [0, 0, h]);
  const scale = g.float('attention_scale', [], [1 / Math.sqrt(headSize)]);
  for (let layer = 0; layer < shape.layers; layer++) {
    const perHead = (name: string, perm: number[]) => g.op('Transpose', [g.op('Reshape', [g.linear(x, h, h, name), splitHeads])], [intsAttr('perm', perm)]);
    const query = perHead('query', [0, 2, 1, 3]);
    const key = perHead('key', [0, 2, 3, 1]);
    const value = perHead('value', [0, 2, 1, 3]);
    const scores = g.add(g.op('Mul', [g.op('MatMul', [query, key]), scale]), maskBias);
    const context = g.op('MatMul', [g.op('Softmax', [scores], [intAttr('axis', -1)]), value]);
    const merged = g.op('Reshape', [g.op('Transpose', [context], [intsAttr('perm', [0, 2, 1, 3])]), mergeHeads]);
    x = g.layerNorm(g.add(x, g.linear(merged, h, h, 'attention_output')), h);
    const inner = g.gelu(g.linear(x, h, shape.intermediate, 'intermediate'));
    x = g.layerNorm(g.add(x, g.linear(inner, shape.intermediate, h, 'output')), h);
  }
  g.nodes.push({ opType: 'Identity', input: [x], output: ['last_hidden_state'], name: 'output' });
  return g.model(h);
}

const intAttr = (name: string, i: number): onnx.IAttributeProto => ({ name, type: AttributeType.INT, i });
const intsAttr = (name: string, ints: number[]): onnx.IAttributeProto => ({ name, type: AttributeType.INTS, ints });
const floatAttr = (name: string, f: number): onnx.IAttributeProto => ({ name, type: AttributeType.FLOAT, f });

class GraphBuilder {
  readonly nodes: onnx.INodeProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  private count = 0;

  constructor(
    private readonly normal: () => number,
    private readonly quantized: boolean,
  ) {}

  /** One node with one output; returns the output's name. */
  op(opType: string, input: string[], attribute: onnx.IAttributeProto[] = []): string {
    const name = `${opType.toLowerCase()}_${this.count++}`;
    this.nodes.push({ opType, input, output: [name], name, attribute });
    return name;
  }

  add(a: string, b: string): string {
    return this.op('Add', [a, b]);
  }

  float(name: string, dims: number[], values: ArrayLike<number>): string {
    return this.tensor(name, dims, DataType.FLOAT, Buffer.from(Float32Array.from(values).buffer));
  }

  int64(name: string, dims: number[], values: number[]): string {
    return this.tensor(name, dims, DataType.INT64, Buffer.from(BigInt64Array.from(values.map(BigInt)).buffer));
  }

  /** Weights drawn from N(0, 0.02²), as BERT initialises them. */
  random(name: string, dims: number[]): string {
    return this.float(this.unique(name), dims, this.draw(dims.reduce((a, b) => a * b, 1)));
  }

  /** x·W + b; quantized: W as uint8, x quantized on the fly, as onnxruntime's quantize_dynamic does. */
  linear(x: string, inputs: number, outputs: number, name: string): string {
    const weights = this.draw(inputs * outputs);
    const bias = this.float(this.unique(`${name}_bias`), [outputs], this.draw(outputs));
    if (!this.quantized) return this.add(this.op('MatMul', [x, this.float(this.unique(`${name}_weight`), [inputs, outputs], weights)]), bias);
    const { values, scale, zeroPoint } = quantize(weights);
    const weight = this.tensor(this.unique(`${name}_weight_quantized`), [inputs, outputs], DataType.UINT8, Buffer.from(values));
    const weightZero = this.tensor(this.unique(`${name}_weight_zero_point`), [], DataType.UINT8, Buffer.from([zeroPoint]));
    const weightScale = this.float(this.unique(`${name}_weight_scale`), [], [scale]);
    const xq = this.unique(`${name}_input_quantized`);
    this.nodes.push({ opType: 'DynamicQuantizeLinear', input: [x], output: [xq, `${xq}_scale`, `${xq}_zero_point`], name: xq });
    const product = this.op('Cast', [this.op('MatMulInteger', [xq, weight, `${xq}_zero_point`, weightZero])], [intAttr('to', DataType.FLOAT)]);
    return this.add(this.op('Mul', [product, this.op('Mul', [`${xq}_scale`, weightScale])]), bias);
  }

  layerNorm(x: string, size: number): string {
    const gamma = this.float(this.unique('layer_norm_weight'), [size], new Float32Array(size).fill(1));
    const beta = this.float(this.unique('layer_norm_bias'), [size], new Float32Array(size));
    return this.op('LayerNormalization', [x, gamma, beta], [intAttr('axis', -1), floatAttr('epsilon', 1e-12)]);
  }

  /** Exact GELU, 0.5·x·(1 + erf(x/√2)) (opset 17 has no Gelu operator). */
  gelu(x: string): string {
    const erf = this.op('Erf', [this.op('Div', [x, this.float(this.unique('sqrt2'), [], [Math.SQRT2])])]);
    const half = this.float(this.unique('half'), [], [0.5]);
    return this.op('Mul', [this.op('Mul', [x, this.add(erf, this.float(this.unique('one'), [], [1]))]), half]);
  }

  model(hidden: number): Uint8Array {
    const int64Input = (name: string) => valueInfo(name, DataType.INT64, ['batch_size', 'sequence_length']);
    const graph: onnx.IGraphProto = {
      name: 'tiny_bert',
      node: this.nodes,
      initializer: this.initializers,
      input: ['input_ids', 'attention_mask', 'token_type_ids'].map(int64Input),
      output: [valueInfo('last_hidden_state', DataType.FLOAT, ['batch_size', 'sequence_length', hidden])],
    };
    const model = { irVersion: 8, producerName: 'tinyBert.ts', opsetImport: [{ domain: '', version: 17 }], graph };
    return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
  }

  private tensor(name: string, dims: number[], dataType: number, rawData: Buffer): string {
    this.initializers.push({ name, dims, dataType, rawData });
    return name;
  }

  private unique(name: string): string {
    return `${name}_${this.count++}`;
  }

  private draw(n: number): Float32Array {
    const values = new Float32Array(n);
    for (let i = 0; i < n; i++) values[i] = 0.02 * this.normal();
    return values;
  }
}

function valueInfo(name: string, elemType: number, dims: (string | number)[]): onnx.IValueInfoProto {
  const dim = dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d }));
  return { name, type: { tensorType: { elemType, shape: { dim } } } };
}

/** Asymmetric uint8 over the whole tensor, its range widened to include 0 (as onnxruntime does). */
function quantize(weights: Float32Array): { values: Uint8Array; scale: number; zeroPoint: number } {
  let min = 0;
  let max = 0;
  for (const w of weights) (min = Math.min(min, w)), (max = Math.max(max, w));
  const scale = (max - min) / 255 || 1;
  const zeroPoint = Math.min(255, Math.max(0, Math.round(-min / scale)));
  const values = new Uint8Array(weights.length);
  for (let i = 0; i < weights.length; i++) values[i] = Math.min(255, Math.max(0, Math.round(weights[i]! / scale) + zeroPoint));
  return { values, scale, zeroPoint };
}

/** Standard normal draws from a seeded mulberry32 (Box–Muller), the same on every machine. */
function seededNormal(seed: number): () => number {
  let state = seed >>> 0;
  const uniform = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

const writeJson = (path: string, data: unknown) => writeFileSync(path, `${JSON.stringify(data)}\n`);
