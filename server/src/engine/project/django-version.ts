import { compareVersions } from './dependencies';
import type { Project } from './project';

/** The Django the checks are applied as, and where that comes from. */
export interface DjangoVersionInfo {
  /** The lowest version the project's declaration allows, or the assumed one. */
  version: number[];
  /** False when the project declares none and a supported version is assumed. */
  declared: boolean;
  /** The declaration (`Django>=4.2,<5`) and its file, when there is one. */
  specifier?: string;
  file?: string;
}

/** What is assumed of a project that declares no Django: a supported release (4.2 LTS or later). */
export const ASSUMED_DJANGO = [4, 2];

export function djangoVersionOf(project: Project): DjangoVersionInfo {
  const declared = project.dependencies.get('django');
  if (declared?.version) return { version: declared.version, declared: true, specifier: declared.specifier, file: declared.file };
  return { version: ASSUMED_DJANGO, declared: false };
}

/** Whether the project runs Django `major.minor` or later (an undeclared version counts as 4.2). */
export function djangoAtLeast(project: Project, ...minimum: number[]): boolean {
  return compareVersions(djangoVersionOf(project).version, minimum) >= 0;
}

export function versionText(version: readonly number[]): string {
  return version.join('.');
}
