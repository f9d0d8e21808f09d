/**
 * Which environment variables a service reads, from its entry script: a reachability walk
 * over the TypeScript sources at declaration level. Starting from the entry files' own
 * statements, it follows every identifier to the top-level declaration it names (in the same
 * file or through a relative import), walks what it reaches, and collects the variables read
 * on the way: the env* readers of lib/config.ts with a literal name (or a `${prefix}_SUFFIX`
 * template, expanded for every subgraph) and `env.NAME` / `process.env.NAME` /
 * `env['NAME']`. A module's top-level statements count as soon as the module is imported.
 *
 * Declaration level, not file level, because files are shared: the subgraph runner imports
 * readSigningSecret from gateway/config.ts, but runs none of the gateway's configuration.
 * It over-approximates (shadowed names, unused branches), never under-approximates for
 * code written like this repository's.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import * as ts from 'typescript';
import { fromRoot } from '../../lib/paths';

interface Module {
  file: string;
  declarations: Map<string, ts.Node[]>;
  /** Local name -> the module and the name it was imported as ('*' for a namespace import). */
  imports: Map<string, { file: string; name: string }>;
  /** export { a as b } [from './x'] and export * from './x'. */
  reexports: Array<{ file: string; names?: Map<string, string> }>;
  localExports: Map<string, string>;
  /** What runs when the module is loaded. */
  topLevel: ts.Node[];
}

const READER = /^env(?:String|Int|Bool|Url|Optional|Enum)$/;
const VARIABLE = /^[A-Z][A-Z0-9_]*$/;
const modules = new Map<string, Module>();

function resolveModule(fromFile: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = resolve(dirname(fromFile), specifier);
  for (const candidate of [`${base}.ts`, join(base, 'index.ts'), base]) {
    if (existsSync(candidate) && statSync(candidate).isFile() && candidate.endsWith('.ts')) return candidate;
  }
  return undefined;
}

function isFunctionLike(node: ts.Node | undefined): boolean {
  return !!node && (ts.isArrowFunction(node) || ts.isFunctionExpression(node) || ts.isClassExpression(node));
}

function bindingNames(name: ts.BindingName): string[] {
  if (ts.isIdentifier(name)) return [name.text];
  return name.elements.flatMap((element) => (ts.isOmittedExpression(element) ? [] : bindingNames(element.name)));
}

function load(file: string): Module {
  const cached = modules.get(file);
  if (cached) return cached;
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const module: Module = { file, declarations: new Map(), imports: new Map(), reexports: [], localExports: new Map(), topLevel: [] };
  const declare = (name: string, node: ts.Node) => module.declarations.set(name, [...(module.declarations.get(name) ?? []), node]);
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement)) {
      const target = resolveModule(file, (statement.moduleSpecifier as ts.StringLiteral).text);
      const clause = statement.importClause;
      if (!target || !clause || clause.isTypeOnly) continue;
      if (clause.name) module.imports.set(clause.name.text, { file: target, name: 'default' });
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) module.imports.set(bindings.name.text, { file: target, name: '*' });
      if (bindings && ts.isNamedImports(bindings)) {
        for (const element of bindings.elements) {
          if (!element.isTypeOnly) module.imports.set(element.name.text, { file: target, name: (element.propertyName ?? element.name).text });
        }
      }
    } else if (ts.isExportDeclaration(statement)) {
      if (statement.isTypeOnly) continue;
      const target = statement.moduleSpecifier ? resolveModule(file, (statement.moduleSpecifier as ts.StringLiteral).text) : undefined;
      const clause = statement.exportClause;
      const names = clause && ts.isNamedExports(clause) ? new Map(clause.elements.map((e) => [e.name.text, (e.propertyName ?? e.name).text])) : undefined;
      if (target) module.reexports.push({ file: target, names });
      else if (names) names.forEach((local, exported) => module.localExports.set(exported, local));
    } else if (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement) || ts.isEnumDeclaration(statement)) {
      if (statement.name) declare(statement.name.text, statement);
    } else if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        for (const name of bindingNames(declaration.name)) declare(name, declaration);
        // A value computed at load time runs on import; a function defined here runs when called.
        if (declaration.initializer && !isFunctionLike(declaration.initializer)) module.topLevel.push(declaration.initializer);
      }
    } else if (!ts.isInterfaceDeclaration(statement) && !ts.isTypeAliasDeclaration(statement)) {
      module.topLevel.push(statement);
    }
  }
  modules.set(file, module);
  return module;
}

/** The declarations an exported name of `file` stands for. */
function exported(file: string, name: string, seen = new Set<string>()): Array<{ file: string; name: string }> {
  const key = `${file}#${name}`;
  if (seen.has(key)) return [];
  seen.add(key);
  const module = load(file);
  if (module.declarations.has(name)) return [{ file, name }];
  if (module.localExports.has(name)) return exported(file, module.localExports.get(name)!, seen);
  if (module.imports.has(name)) {
    const imported = module.imports.get(name)!;
    return exported(imported.file, imported.name, seen);
  }
  for (const reexport of module.reexports) {
    if (reexport.names?.has(name)) return exported(reexport.file, reexport.names.get(name)!, seen);
    if (!reexport.names) {
      const found = exported(reexport.file, name, seen);
      if (found.length > 0) return found;
    }
  }
  return [];
}

export interface EnvReads {
  /** Variable names read with a literal name. */
  names: Set<string>;
  /** Suffixes of `${prefix}_SUFFIX` names (a subgraph's name as prefix). */
  templateSuffixes: Set<string>;
  /** Every file loaded. */
  files: Set<string>;
}

/**
 * The variables read by a process started with `entries` (repository paths, e.g.
 * `scripts/start-gateway.ts`): every statement of each entry counts, and what it reaches.
 */
export function envReads(entries: string[]): EnvReads {
  const result: EnvReads = { names: new Set(), templateSuffixes: new Set(), files: new Set() };
  const reached = new Set<string>();
  const queue: ts.Node[] = [];
  const loadModule = (file: string) => {
    if (result.files.has(file)) return;
    result.files.add(file);
    const module = load(file);
    queue.push(...module.topLevel);
    // Imports run their modules' top-level statements.
    for (const { file: imported } of module.imports.values()) loadModule(imported);
    for (const { file: imported } of module.reexports) loadModule(imported);
  };
  const reach = (file: string, name: string) => {
    if (name === '*') {
      load(file).declarations.forEach((_nodes, declared) => reach(file, declared));
      return;
    }
    for (const target of exported(file, name)) {
      const key = `${target.file}#${target.name}`;
      if (reached.has(key)) continue;
      reached.add(key);
      loadModule(target.file);
      queue.push(...load(target.file).declarations.get(target.name)!);
    }
  };
  for (const entry of entries) {
    const file = fromRoot(entry);
    loadModule(file);
    load(file).declarations.forEach((_nodes, name) => reach(file, name));
  }
  while (queue.length > 0) {
    const node = queue.pop()!;
    const module = load(node.getSourceFile().fileName);
    const visit = (child: ts.Node): void => {
      if (ts.isIdentifier(child)) {
        const text = child.text;
        if (module.declarations.has(text)) reach(module.file, text);
        else if (module.imports.has(text)) {
          const imported = module.imports.get(text)!;
          reach(imported.file, imported.name);
        }
      } else if (ts.isCallExpression(child)) {
        const callee = child.expression;
        const calleeName = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
        const first = child.arguments[0];
        if (READER.test(calleeName) && first) {
          if (ts.isStringLiteral(first) || ts.isNoSubstitutionTemplateLiteral(first)) result.names.add(first.text);
          else if (ts.isTemplateExpression(first) && first.head.text === '' && first.templateSpans.length === 1) {
            result.templateSuffixes.add(first.templateSpans[0].literal.text);
          }
        }
        // require('./x') with a literal: the whole module.
        if (ts.isIdentifier(callee) && callee.text === 'require' && first && ts.isStringLiteral(first)) {
          const target = resolveModule(module.file, first.text);
          if (target) {
            loadModule(target);
            reach(target, '*');
          }
        }
      } else if (ts.isPropertyAccessExpression(child) && isEnvObject(child.expression) && VARIABLE.test(child.name.text)) {
        result.names.add(child.name.text);
      } else if (ts.isElementAccessExpression(child) && isEnvObject(child.expression) && ts.isStringLiteral(child.argumentExpression) && VARIABLE.test(child.argumentExpression.text)) {
        result.names.add(child.argumentExpression.text);
      }
      ts.forEachChild(child, visit);
    };
    visit(node);
  }
  return result;
}

/** `env`, `process.env`, `ctx.env`, `options.env`: an environment object. */
function isEnvObject(node: ts.Expression): boolean {
  return (ts.isIdentifier(node) && node.text === 'env') || (ts.isPropertyAccessExpression(node) && node.name.text === 'env');
}
