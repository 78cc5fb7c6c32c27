import { ConsoleLogger, type LoggerService } from '@nestjs/common';

/**
 * Nest narrating its own start-up: a line per module initialised and per route mapped (several
 * hundred), then "successfully started". Nobody acts on them, and they buried the URLs and the
 * warnings that `npm run dev` prints.
 */
const START_UP_NARRATION = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication']);

class QuietStartUpLogger extends ConsoleLogger {
  override log(message: unknown, ...optionalParams: unknown[]): void {
    const context = optionalParams.at(-1) ?? this.context;
    if (typeof context === 'string' && START_UP_NARRATION.has(context)) return;
    super.log(message, ...optionalParams);
  }
}

/** The Nest logger of the API and the worker: errors, warnings and the application's own lines, not Nest's start-up narration. */
export function nestLogger(logLevel: string): LoggerService | false {
  return logLevel === 'silent' ? false : new QuietStartUpLogger({ logLevels: ['error', 'warn', 'log'] });
}
