import { serverWrite } from '../../python/server-written-files';
import { shortText } from '../../python/syntax';
import type { Finding } from '../../types';
import type { PythonRule } from '../rule';

// NOTE: ImageField is left out on purpose: its form field opens every upload with Pillow and
// checks the extension (validate_image_file_extension), so it cannot store an HTML or SVG page.
// https://docs.djangoproject.com/en/stable/ref/forms/fields/#imagefield
const FILE_FIELDS = new Set(['django.db.models.FileField', 'django.db.models.fields.files.FileField']);

/** DJH206: a model FileField with no validators stores and serves whatever type of file it is given. */
export const unvalidatedUpload: PythonRule = {
  meta: {
    code: 'DJH206',
    name: 'unvalidated-upload',
    severity: 'info',
    scope: 'python',
    summary: 'A model `FileField` has no `validators=`, so uploads of any file type are accepted.',
    fix: 'none',
    djangoChecks: [],
  },
  docs: `## What it does
Reports a model \`FileField\` (\`models.FileField(...)\`, or \`FileField\` imported from \`django.db.models\`) declared without \`validators=\`. A field whose arguments include \`**kwargs\` is not reported, since the validators may be in there.

A field the server writes itself is not reported: when code of the model's app (the models module, or another module of its package) calls \`obj.<field>.save(name, content)\` with content that does not come from the request (a generated report, an export, a \`ContentFile\` of data the code built), the field holds what the application wrote, not what users uploaded. Migrations are never judged, wherever they are (a module that defines \`class Migration(migrations.Migration)\`).

\`ImageField\` is not reported: its form field (used by model forms, the admin and Django REST framework) already opens every upload with Pillow and checks its extension against the image formats Pillow knows (\`validate_image_file_extension\`), so it cannot store an HTML or SVG page. Form \`FileField\`s are not reported either: what happens to their files depends on the view, and a file stored through a model field is reported there.

## Why is this bad
A \`FileField\` accepts any file under any name. Uploaded files are usually served from \`MEDIA_URL\` on your own domain, with a content type guessed from the extension: an uploaded \`.html\` or \`.svg\` file is then a page of your site whose script runs with your visitors' cookies (stored cross-site scripting), and an \`.exe\` is malware you host. Django's security guide asks you to limit the accepted extensions and, ideally, serve uploads from a separate domain.

## Example
\`\`\`python
from django.db import models

class Invoice(models.Model):
    document = models.FileField(upload_to="invoices/")
\`\`\`

## Use instead
\`\`\`python
from django.core.validators import FileExtensionValidator
from django.db import models

class Invoice(models.Model):
    document = models.FileField(
        upload_to="invoices/",
        validators=[FileExtensionValidator(allowed_extensions=["pdf"])],
    )
\`\`\`

## Fix safety
No automatic fix: the right list of extensions depends on what the field is for, and a guessed list (or a placeholder) would either reject legitimate uploads or let dangerous ones through. Add \`FileExtensionValidator(allowed_extensions=[...])\` with the types you expect; validators run when a model form (or \`full_clean()\`) validates the upload, so files already stored are not affected.

## References
- [Django security: user-uploaded content](https://docs.djangoproject.com/en/stable/topics/security/#user-uploaded-content)
- [Django: FileExtensionValidator](https://docs.djangoproject.com/en/stable/ref/validators/#fileextensionvalidator)
- [Django: FileField](https://docs.djangoproject.com/en/stable/ref/models/fields/#filefield)
`,
  triggers: ['FileField'],
  nodeTypes: ['call'],
  check(ctx) {
    const findings: Finding[] = [];
    for (const call of ctx.nodes('call')) {
      if (!FILE_FIELDS.has(ctx.qualifiedName(call.childForFieldName('function')) ?? '')) continue;
      const args = call.childForFieldName('arguments');
      if (args?.type !== 'argument_list') continue;
      const validated = args.namedChildren.some((arg) => arg?.type === 'dictionary_splat' || (arg?.type === 'keyword_argument' && arg.childForFieldName('name')?.text === 'validators'));
      if (validated) continue;
      const assignment = call.parent?.type === 'assignment' ? call.parent : undefined;
      const name = assignment?.childForFieldName('left')?.type === 'identifier' ? assignment.childForFieldName('left')!.text : undefined;
      // NOTE: a file the server writes itself (an export, a generated report) is not an upload.
      if (name && serverWrite(ctx.project, ctx.file, ctx.analysis(), name)) continue;
      const field = name ? `The FileField \`${shortText(name, 24)}\`` : 'This FileField';
      findings.push(ctx.finding(call, `${field} has no validators, so it accepts any file type. An .html or .svg page uploaded there runs script on your site when served from MEDIA_URL.`));
    }
    return findings;
  },
};
