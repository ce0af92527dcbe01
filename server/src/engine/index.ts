/**
 * The engine as its adapters (the command line, the language server) use it: the one way
 * in, enforced by lint. Grouped by what an adapter does; what is not here is the engine's
 * own business (rules, the settings interpreter, parsers, the project model's inner parts).
 */

// The parser, loaded once per process (or worker) before anything is analysed.
export { initPythonParser } from './parse/python';

// Open a project: find its files and configuration, read them (from disk, or an editor's
// memory through a SourceStore of its own), and build the project model over them.
export { CONFIG_FILE_NAMES, loadProjectConfig } from './project/load-config';
export { DEFAULT_EXCLUDES, dependencyFilesAbove, isInterestingFile, pathExists, walkFiles } from './project/walk';
export { DEPENDENCY_FILE_PATTERN } from './project/dependencies';
export { readsFile } from './file-analyzers';
export { DiskSourceStore, makeSource } from './project/disk-store';
export type { SourceFile, SourceStore } from './project/source-store';
export { decodeSource, encodeSource, MAX_SOURCE_BYTES } from './parse/source';
export { Project, type SettingsModuleInfo } from './project/project';
/** The evaluations a long-lived project (an editor's workspace folder) keeps between analyses. */
export { EvaluationCache } from './project/evaluation-cache';

// Configure: pyproject.toml / django-hardener.toml, or the editor's settings.
export { DEFAULT_CONFIG, normaliseConfig, ruleEnabled, type ConfigProblem, type HardenerConfig } from './config';

// Analyse a project, a file or an open document (a document is a SourceFile of the store).
export { analyzeFile, analyzeProject, analyzeProjectSettings, sortFindings, type AnalysisLog, type AnalysisNote, type AnalysisOptions, type SkippedModule } from './analyze';
export { describeNote, noteSubject } from './guarded';
export { firstSyntaxError } from './parse/python';

// Keep an edited module's syntax: its tree, or its blocks when the blocking policy says so.
export { LiveModule, type LiveText } from './parse/live-module';
export type { ModuleSyntax } from './parse/module-syntax';
export type { Tree } from './parse/python';
export type { Point } from 'web-tree-sitter';

// Fixes for a finding, `noqa` comments, and the text edits they are made of.
export { applyFixes } from './fixes/apply';
export { fixesForRound, type PlannedFix } from './harden';
export { noqaEditor, type NoqaEdit } from './noqa-edit';
export { applyTextEdits, editsByFile, lineStarts } from './text';

// Harden a settings module: every settings fix of it as one edit.
export { hardenSettingsModule, type HardenResult } from './harden';
export { oneEditPerStatement } from './harden-by-statement';

// Explain the settings model: which modules are settings modules, their roles, their values.
export { NAME_PRODUCTION_ADVICE, renderSettingsModel, settingsModelReport } from './project/settings-model';

// The rule catalogue, for selection, documentation links and SARIF metadata.
export { ALL_RULES } from './rules/registry';
export { docsUrl } from './rules/rule';

// What the engine returns.
export type { Finding, Fix, FixSafety, Location, Position, Range, RelatedLocation, Severity, TextEdit } from './types';
