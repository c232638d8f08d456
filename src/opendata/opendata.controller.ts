import { BadRequestException, Controller, Get, HttpException, NotFoundException, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { AppError } from '../platform/errors/app-error.js';
import { CONTENT_TYPES, parseExportFile } from './domain/index.js';
import { OpenDataService, type OpenDataFile } from './opendata.service.js';

function toHttp(e: unknown): unknown {
  if (!(e instanceof AppError)) return e;
  switch (e.code) {
    case 'BAD_USER_INPUT':
      return new BadRequestException(e.message);
    case 'NOT_FOUND':
      return new NotFoundException(e.message);
    case 'UNAUTHENTICATED':
      return new HttpException(e.message, 401);
    case 'FORBIDDEN':
      return new HttpException(e.message, 403);
    case 'CONFLICT':
      return new HttpException(e.message, 409);
    case 'SERVICE_UNAVAILABLE':
      return new HttpException(e.message, 503);
  }
}

/**
 * Public open data, no token, no personal data (docs/OPEN_DATA.md):
 * `GET /opendata/:date/queues.csv|queues.json|bulletins.csv|bulletins.json`, date = YYYY-MM-DD.
 * 400 on a malformed or unreal date; 404 for another file name, a future date, or a past date whose
 * queue order was not frozen. Frozen days are cacheable; today's files are read at each request.
 */
@Controller('opendata')
export class OpenDataController {
  constructor(private readonly openData: OpenDataService) {}

  @Get(':date/:file')
  async file(@Param('date') date: string, @Param('file') file: string, @Res() res: Response): Promise<void> {
    const f = parseExportFile(file);
    if (!f) throw new NotFoundException('file: one of queues.csv, queues.json, bulletins.csv, bulletins.json');
    let out: OpenDataFile;
    try {
      out = await this.openData.file(date, f.kind, f.format);
    } catch (e) {
      throw toHttp(e);
    }
    let length = 0;
    for (const chunk of out.chunks) length += Buffer.byteLength(chunk, 'utf8');
    res.status(200).set({
      'Content-Type': CONTENT_TYPES[f.format],
      'Content-Length': String(length),
      'Content-Disposition': `inline; filename="kezek-${f.kind}-${date}.${f.format}"`,
      'Cache-Control': out.frozen ? 'public, max-age=86400, immutable' : 'no-cache',
      'Access-Control-Allow-Origin': '*',
      'X-Content-Type-Options': 'nosniff',
    });
    await sendChunks(res, out.chunks);
  }
}

/**
 * Writes the pieces of a file as the body, waiting for the socket to drain between them (a national
 * file is never joined into one string or one buffer); stops when the client goes away.
 */
async function sendChunks(res: Response, chunks: readonly string[]): Promise<void> {
  for (const chunk of chunks) {
    if (res.destroyed) return;
    if (!res.write(chunk, 'utf8')) {
      await new Promise<void>((done) => {
        const finish = (): void => {
          res.off('drain', finish);
          res.off('close', finish);
          done();
        };
        res.on('drain', finish);
        res.on('close', finish);
      });
    }
  }
  if (!res.destroyed) res.end();
}
