import type { FactoryProvider } from '@nestjs/common';
import {
  APP_CONFIG,
  type AppConfig,
  DomainException,
  type JourneyContext,
  JourneyPages,
  type JourneySpec,
  type JourneyStep,
  StepProblem,
  validateForm,
} from '@app/platform';
import { ApplicantDto, ItemDto, OptionsDto, PostChoiceDto, SlotChoiceDto } from '../dto.js';
import { LegalisationErrors } from '../errors.js';
import { LegalisationService, type PostSummary } from '../legalisation.service.js';
import { feeFor, SERVICE_LEVELS } from '../settings.js';
import { AppointmentSlots } from '../slots.js';
import { LEGALISATION_DRAFTS, type LegalisationDraft, type LegalisationDrafts } from './draft-store.js';

export const LEGALISATION_JOURNEY = Symbol('LEGALISATION_JOURNEY');

const postName = (context: JourneyContext, post: PostSummary) => (context.locale === 'zh-Hant' ? post.nameZh : post.nameEn);
const slotTaken = (context: JourneyContext) =>
  new StepProblem([{ field: 'slotId', messages: [context.t('legalisation.err.slotTaken')] }], 409);
/** Extra copies starts at 0, so it alone does not make a new document. */
const ITEM_FIELDS = ['documentType', 'issuingCountry', 'originals', 'description'];
const filled = (raw: Record<string, unknown>, name: string) => typeof raw[name] === 'string' && (raw[name] as string).trim() !== '';

/** Document authentication's applicant pages: who, which documents, how, where and when, then check and submit. */
export function legalisationJourney(requests: LegalisationService, slots: AppointmentSlots): JourneySpec<LegalisationDraft> {
  const settings = requests.settings;
  const freeSlot = async (draft: LegalisationDraft, slotId: string | undefined) =>
    (await slots.free(await requests.post(draft.postCode!))).flatMap((day) => day.slots).find((slot) => slot.id === slotId);

  const applicant: JourneyStep<LegalisationDraft, ApplicantDto> = {
    id: 'applicant',
    view: 'legalisation/applicant.njk',
    form: ApplicantDto,
    dates: { dateOfBirth: 'dob' },
    done: (draft) => !!draft.applicant,
    values: (draft, context) => ({ ...(draft.applicant ?? { locale: context.locale }) }),
    model: (_draft, { t }) => ({
      locales: [
        { value: 'en', label: t('lang.en') },
        { value: 'zh-Hant', label: t('lang.zh-Hant') },
      ],
    }),
    save: (draft, input) => ({ ...draft, applicant: { ...input } }),
    check: ({ applicant: a }, { t }) => [
      { label: t('legalisation.field.name'), value: `${a!.givenNames} ${a!.surname}` },
      { label: t('legalisation.field.dateOfBirth'), value: a!.dateOfBirth },
      { label: t('legalisation.field.email'), value: a!.email },
    ],
  };

  const documents: JourneyStep<LegalisationDraft, Record<string, unknown>> = {
    id: 'documents',
    view: 'legalisation/documents.njk',
    done: (draft) => draft.items.length > 0,
    values: () => ({ extraCopies: '0' }),
    model: (draft, { t }) => ({
      items: draft.items.map((item, index) => ({
        ...item,
        position: index + 1,
        typeLabel: t(`legalisation.documentType.${item.documentType}`),
      })),
      documentTypes: [
        { value: '', label: t('legalisation.chooseDocumentType') },
        ...settings.documentTypes.map((value) => ({ value, label: t(`legalisation.documentType.${value}`) })),
      ],
    }),
    // "Add this document" adds the item and shows the page again; "Continue" adds what is filled in, then moves on.
    save: (draft, raw, { t }) => {
      const adding = raw.action !== 'continue';
      if (!adding && !ITEM_FIELDS.some((name) => filled(raw, name)) && draft.items.length) return draft;
      if (!adding && !ITEM_FIELDS.some((name) => filled(raw, name))) {
        return new StepProblem([{ field: 'documentType', messages: [t('legalisation.err.atLeastOneItem')] }]);
      }
      if (draft.items.length >= settings.maxItems) {
        return new StepProblem([{ field: 'documentType', messages: [t('legalisation.err.itemsCount', { max: settings.maxItems })] }]);
      }
      const checked = validateForm(ItemDto, raw, t);
      if (!checked.ok) return new StepProblem(checked.errors);
      return { ...draft, items: [...draft.items, { ...checked.value }] };
    },
    next: (_draft, raw) => (raw.action !== 'continue' ? 'documents' : null),
    actions: {
      remove: (draft, raw) => {
        const position = Number(raw.position);
        const items = draft.items.filter((_, index) => index + 1 !== position);
        return { ...draft, items };
      },
    },
    check: (draft, { t }) =>
      draft.items.map((item, index) => ({
        label: t('legalisation.check.item', { n: index + 1 }),
        value: `${t(`legalisation.documentType.${item.documentType}`)} (${item.issuingCountry}): ${t('legalisation.check.counts', { originals: item.originals, copies: item.extraCopies })}`,
      })),
  };

  const options: JourneyStep<LegalisationDraft, OptionsDto> = {
    id: 'options',
    view: 'legalisation/options.njk',
    form: OptionsDto,
    done: (draft) => !!draft.options,
    values: (draft) => ({ ...draft.options }),
    model: (_draft, { t }) => ({
      directions: settings.directions.map((value) => ({ value, label: t(`legalisation.direction.${value}`) })),
      levels: SERVICE_LEVELS.map((value) => ({
        value,
        label: t(`legalisation.serviceLevelWithFee.${value}`, {
          original: settings.feesTwd[value].perOriginal,
          copy: settings.feesTwd[value].perExtraCopy,
          days: settings.feesTwd[value].workingDays,
        }),
      })),
      deliveries: settings.delivery.map((value) => ({ value, label: t(`legalisation.delivery.${value}`) })),
    }),
    save: (draft, input) => ({ ...draft, options: { ...input, mailingAddress: input.delivery === 'mail' ? input.mailingAddress! : null } }),
    check: ({ options: o }, { t }) => [
      { label: t('legalisation.field.direction'), value: t(`legalisation.direction.${o!.direction}`) },
      { label: t('legalisation.field.serviceLevel'), value: t(`legalisation.serviceLevel.${o!.serviceLevel}`) },
      { label: t('legalisation.field.delivery'), value: t(`legalisation.delivery.${o!.delivery}`) },
      ...(o!.mailingAddress ? [{ label: t('legalisation.field.mailingAddress'), value: o!.mailingAddress }] : []),
    ],
  };

  const post: JourneyStep<LegalisationDraft, PostChoiceDto> = {
    id: 'post',
    view: 'legalisation/post.njk',
    form: PostChoiceDto,
    done: (draft) => !!draft.postCode,
    values: (draft) => ({ postCode: draft.postCode ?? '' }),
    model: async (_draft, context) => ({
      posts: (await requests.posts()).map((p) => ({ value: p.code, label: postName(context, p) })),
    }),
    save: async (draft, { postCode }, { t }) => {
      if (!(await requests.posts()).some((p) => p.code === postCode)) {
        return new StepProblem([{ field: 'postCode', messages: [t('legalisation.err.post')] }]);
      }
      // Another post has other places: a time chosen at the old one no longer stands.
      return { ...draft, postCode, slotId: postCode === draft.postCode ? draft.slotId : undefined };
    },
    check: async (draft, context) => [
      { label: context.t('legalisation.field.post'), value: postName(context, await requests.post(draft.postCode!)) },
    ],
  };

  const appointment: JourneyStep<LegalisationDraft, SlotChoiceDto> = {
    id: 'appointment',
    view: 'legalisation/appointment.njk',
    form: SlotChoiceDto,
    done: (draft) => !!draft.slotId,
    values: (draft) => ({ slotId: draft.slotId ?? '' }),
    model: async (draft, context) => {
      const chosen = await requests.post(draft.postCode!);
      const dateFormat = new Intl.DateTimeFormat(context.locale === 'zh-Hant' ? 'zh-TW' : 'en-GB', { dateStyle: 'full', timeZone: 'UTC' });
      return {
        postName: postName(context, chosen),
        timeZone: chosen.timeZone,
        days: (await slots.free(chosen)).map((day) => ({
          label: dateFormat.format(new Date(`${day.localDate}T12:00:00Z`)),
          slots: day.slots.map((slot) => ({ value: slot.id, label: slot.localTime })),
        })),
      };
    },
    save: async (draft, { slotId }, context) => ((await freeSlot(draft, slotId)) ? { ...draft, slotId } : slotTaken(context)),
    check: async (draft, { t }) => {
      const slot = await freeSlot(draft, draft.slotId);
      return [{ label: t('legalisation.field.appointment'), value: slot ? `${slot.localDate} ${slot.localTime}` : '' }];
    },
  };

  return {
    basePath: '/legalisation',
    cookies: { draft: 'legalisation_draft', confirmation: 'legalisation_case' },
    start: { view: 'legalisation/start.njk', model: () => ({ fees: settings.feesTwd, levels: SERVICE_LEVELS }) },
    steps: [applicant, documents, options, post, appointment] as JourneyStep<LegalisationDraft, never>[],
    check: {
      view: 'legalisation/check.njk',
      model: (draft) => ({ fee: feeFor(settings, draft.options!.serviceLevel, draft.items) }),
      // The time chosen may have been taken since: choose again rather than check a time that is gone.
      recheck: async (draft, context) =>
        (await freeSlot(draft, draft.slotId))
          ? null
          : { step: 'appointment', draft: { ...draft, slotId: undefined }, problem: slotTaken(context) },
    },
    submit: (draft, context) =>
      requests.submit(
        { applicant: draft.applicant!, items: draft.items, options: draft.options!, postCode: draft.postCode!, slotId: draft.slotId! },
        { clientIp: context.ip },
      ),
    submitRefused: (error, draft, context) =>
      error instanceof DomainException && error.code === LegalisationErrors.SLOT_UNAVAILABLE
        ? { step: 'appointment', draft: { ...draft, slotId: undefined }, problem: slotTaken(context) }
        : null,
    confirmation: {
      view: 'legalisation/confirmation.njk',
      model: async (caseId, context) => {
        const view = await requests.view(caseId);
        return view ? { reference: view.reference, view, postName: postName(context, view.post) } : null;
      },
    },
  };
}

export const legalisationJourneyProvider: FactoryProvider<JourneyPages<LegalisationDraft>> = {
  provide: LEGALISATION_JOURNEY,
  inject: [LegalisationService, AppointmentSlots, LEGALISATION_DRAFTS, APP_CONFIG],
  useFactory: (requests: LegalisationService, slots: AppointmentSlots, drafts: LegalisationDrafts, config: AppConfig) =>
    new JourneyPages(legalisationJourney(requests, slots), drafts, config.env === 'production'),
};
