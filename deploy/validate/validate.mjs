// Offline schema validation of Kubernetes manifests (run by deploy/validate.sh; exits 1 on any problem).
//
// Every object is checked twice, both from the Kubernetes OpenAPI spec:
//  - kubernetes-models: its validators (generated from the OpenAPI schemas, compiled Ajv) check types,
//    required fields, enums and formats;
//  - strict fields: a JSON Schema built from @kubernetes/client-node's models (generated from the same
//    OpenAPI spec) with additionalProperties: false, validated with Ajv, rejects unknown fields, which the
//    OpenAPI schemas (and so kubernetes-models) allow.
// Plus a few checks the API server makes that no schema says (a Deployment's selector must match its
// template's labels).
//
// Usage: node validate.mjs [FILE | --partial FILE | --expect-invalid FILE | --kustomization DIR]...
//   FILE                  every YAML document is a complete object
//   --partial FILE        a kustomize patch: required fields may be missing, `$patch` is allowed
//   --expect-invalid FILE must be REJECTED, with every `# expect-error: TEXT` line of the file matched
//   --kustomization DIR   without kubectl: the kustomization's resources (complete, recursing into
//                         directories) and patches (partial), each file checked on its own
import { readFileSync, existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import Ajv from 'ajv';
import { parseAllDocuments } from 'yaml';
import * as clientModels from '@kubernetes/client-node/dist/gen/models/all.js';

const require = createRequire(import.meta.url);

// ---- strict fields: JSON Schema from the client-node models -------------------------------------------
const definitions = {};
const scalar = /^(string|number|boolean|Date|any|IntOrString|V1MicroTime)$/;

function typeSchema(type) {
  let m;
  if ((m = /^Array<(.+)>$/.exec(type))) return { type: 'array', items: typeSchema(m[1]) };
  if ((m = /^\{ \[key: string\]: (.+); \}$/.exec(type))) return { type: 'object', additionalProperties: typeSchema(m[1]) };
  if (scalar.test(type)) return true; // scalar types are kubernetes-models' job
  defineModel(type);
  return { $ref: `k8s#/definitions/${type}` };
}

function defineModel(name) {
  if (name in definitions) return;
  const model = clientModels[name];
  if (!model || !Array.isArray(model.attributeTypeMap)) throw new Error(`no client-node model ${name}`);
  definitions[name] = true; // placeholder against recursion
  if (model.attributeTypeMap.length === 0) return; // free-form object
  const properties = {};
  for (const a of model.attributeTypeMap) properties[a.baseName] = typeSchema(a.type);
  definitions[name] = { type: 'object', properties, additionalProperties: false };
}

const pascal = (s) => s.charAt(0).toUpperCase() + s.slice(1);

function clientModelName(group, version, kind) {
  const groupName = group === '' ? 'Core' : pascal(group.split('.')[0]);
  for (const candidate of [`${groupName}${pascal(version)}${kind}`, `${pascal(version)}${kind}`]) {
    if (clientModels[candidate]?.attributeTypeMap) return candidate;
  }
  return null;
}

// Every model the roots can reach is defined before the one schema is compiled.
const ajv = new Ajv({ allErrors: true, strict: false });
const strictValidators = new Map();
function strictValidator(modelName) {
  if (!strictValidators.has(modelName)) {
    defineModel(modelName);
    if (ajv.getSchema('k8s')) ajv.removeSchema('k8s');
    ajv.addSchema({ $id: 'k8s', definitions });
    strictValidators.set(modelName, ajv.compile({ $ref: `k8s#/definitions/${modelName}` }));
  }
  return strictValidators.get(modelName);
}

// ---- kubernetes-models ---------------------------------------------------------------------------------
function kubernetesModel(group, version, kind) {
  const modulePath = group === '' ? `kubernetes-models/${version}/${kind}` : `kubernetes-models/${group}/${version}/${kind}`;
  try {
    return require(modulePath)[kind];
  } catch {
    return null;
  }
}

// ---- one object ----------------------------------------------------------------------------------------
function withoutPatchDirectives(value) {
  if (Array.isArray(value)) return value.map(withoutPatchDirectives);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([k]) => !k.startsWith('$')).map(([k, v]) => [k, withoutPatchDirectives(v)]));
  }
  return value;
}

function validateObject(object, { partial }) {
  if (!object || typeof object !== 'object' || Array.isArray(object)) return ['the document is not a mapping'];
  const { apiVersion, kind } = object;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return ['apiVersion and kind are required strings'];
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const Model = kubernetesModel(group, version, kind);
  const modelName = clientModelName(group, version, kind);
  if (!Model || !modelName) return [`unknown kind ${kind} in ${apiVersion}`];
  const data = partial ? withoutPatchDirectives(object) : object;
  if (partial && object.$patch === 'delete') return []; // a deletion names the object only

  const errors = [];
  try {
    new Model(data).validate();
  } catch (e) {
    for (const err of e.errors ?? [{ instancePath: '', message: e.message }]) {
      if (partial && err.keyword === 'required') continue;
      errors.push(`${err.instancePath || '/'}: ${err.message}${err.params?.allowedValues ? ` (${err.params.allowedValues.join(', ')})` : ''}`);
    }
  }
  const strict = strictValidator(modelName);
  if (!strict(data)) {
    for (const err of strict.errors) {
      if (err.keyword === 'additionalProperties') errors.push(`${err.instancePath || '/'}: unknown field "${err.params.additionalProperty}"`);
      else errors.push(`${err.instancePath || '/'}: ${err.message}`);
    }
  }
  if (!partial) errors.push(...semanticErrors(object));
  return [...new Set(errors)];
}

function semanticErrors(object) {
  const errors = [];
  if (['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'].includes(object.kind)) {
    const selector = object.spec?.selector?.matchLabels ?? {};
    const labels = object.spec?.template?.metadata?.labels ?? {};
    for (const [k, v] of Object.entries(selector)) {
      if (labels[k] !== v) errors.push(`/spec/selector/matchLabels/${k}: the template's labels do not match the selector`);
    }
  }
  return errors;
}

// ---- files ---------------------------------------------------------------------------------------------
function readDocuments(file) {
  const text = readFileSync(file, 'utf8');
  const documents = parseAllDocuments(text, { uniqueKeys: true });
  const problems = [];
  const objects = [];
  documents.forEach((doc, i) => {
    for (const e of doc.errors) problems.push(`document ${i + 1}: YAML: ${e.message}`);
    if (doc.errors.length === 0) {
      const value = doc.toJS();
      if (value !== null && value !== undefined) objects.push({ index: i + 1, value });
    }
  });
  return { text, objects, problems };
}

let failures = 0;
const report = (file, ok, lines) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${file}`);
  for (const line of lines) console.log(`       ${line}`);
  if (!ok) failures++;
};

function checkFile(file, { partial = false } = {}) {
  if (!existsSync(file)) return report(file, false, ['missing file']);
  const { objects, problems } = readDocuments(file);
  const lines = [...problems];
  for (const { index, value } of objects) {
    const name = `${value?.kind ?? '?'}/${value?.metadata?.name ?? '?'}`;
    for (const e of validateObject(value, { partial })) lines.push(`document ${index} ${name}: ${e}`);
  }
  if (objects.length === 0 && problems.length === 0) lines.push('no Kubernetes object in the file');
  report(`${file} (${objects.length} object${objects.length === 1 ? '' : 's'}${partial ? ', patch' : ''})`, lines.length === 0, lines);
}

function checkExpectInvalid(file) {
  const { text, objects, problems } = readDocuments(file);
  const errors = [...problems];
  for (const { value } of objects) errors.push(...validateObject(value, { partial: false }));
  const expected = [...text.matchAll(/^# expect-error: (.+)$/gm)].map((m) => m[1].trim());
  const missing = expected.filter((x) => !errors.some((e) => e.includes(x)));
  if (errors.length === 0) return report(`${file} (negative fixture)`, false, ['was ACCEPTED: the validator cannot fail']);
  if (expected.length === 0) return report(`${file} (negative fixture)`, false, ['no "# expect-error:" line']);
  report(`${file} (negative fixture: rejected as expected, ${errors.length} errors)`, missing.length === 0,
    missing.length ? [...missing.map((x) => `expected an error containing: ${x}`), ...errors.map((e) => `got: ${e}`)] : []);
}

const kustomizationKeys = new Set(['apiVersion', 'kind', 'namespace', 'resources', 'patches', 'replicas', 'images', 'labels']);
const seenKustomizations = new Set();
function checkKustomization(dir, seen = seenKustomizations) {
  const real = path.resolve(dir);
  if (seen.has(real)) return;
  seen.add(real);
  const file = path.join(dir, 'kustomization.yaml');
  if (!existsSync(file)) return report(file, false, ['missing kustomization.yaml']);
  const { objects, problems } = readDocuments(file);
  const k = objects[0]?.value ?? {};
  const lines = [...problems];
  for (const key of Object.keys(k)) {
    if (!kustomizationKeys.has(key)) lines.push(`"${key}" is not understood by this fallback check (render with kubectl kustomize)`);
  }
  for (const r of k.resources ?? []) {
    const target = path.join(dir, r);
    if (!existsSync(target)) lines.push(`resource ${r}: not found`);
  }
  for (const p of k.patches ?? []) {
    if (!p.path) lines.push('an inline patch is not understood by this fallback check');
    else if (!existsSync(path.join(dir, p.path))) lines.push(`patch ${p.path}: not found`);
  }
  report(`${file} (kustomization; its files checked one by one)`, lines.length === 0, lines);
  for (const r of k.resources ?? []) {
    const target = path.join(dir, r);
    if (!existsSync(target)) continue;
    if (statSync(target).isDirectory()) checkKustomization(target, seen);
    else checkFile(target);
  }
  for (const p of k.patches ?? []) {
    if (p.path && existsSync(path.join(dir, p.path))) checkFile(path.join(dir, p.path), { partial: true });
  }
}

const args = process.argv.slice(2);
if (args.length === 0) {
  console.error('usage: node validate.mjs [FILE | --partial FILE | --expect-invalid FILE | --kustomization DIR]...');
  process.exit(2);
}
for (let i = 0; i < args.length; i++) {
  const arg = args[i];
  if (arg === '--partial') checkFile(args[++i], { partial: true });
  else if (arg === '--expect-invalid') checkExpectInvalid(args[++i]);
  else if (arg === '--kustomization') checkKustomization(args[++i]);
  else checkFile(arg);
}
console.log(failures === 0 ? 'schema validation: all passed' : `schema validation: ${failures} file(s) failed`);
process.exit(failures === 0 ? 0 : 1);
