import { Args, Query, Resolver } from '@nestjs/graphql';
import { Public } from '../auth/access.decorator.js';
import { badInput } from '../platform/errors/app-error.js';
import { LABEL_LANGUAGES, labelLanguage } from '../platform/identifiers/label-text.js';
import { QueueService } from '../queue/queue.service.js';
import { labelsIn } from './domain/catalog.js';
import { Label } from './dto/label.model.js';

@Resolver(() => Label)
export class LabelsResolver {
  constructor(private readonly queue: QueueService) {}

  @Public()
  @Query(() => [Label], { description: 'Anyone: the kk / ru / en text of every enum value and priority category' })
  async labels(@Args('language', { description: 'kk, ru or en (any case)' }) language: string): Promise<Label[]> {
    const lang = labelLanguage(language);
    if (!lang) throw badInput('language', `must be one of ${LABEL_LANGUAGES.join(', ')}`);
    return labelsIn(lang, await this.queue.categories());
  }
}
