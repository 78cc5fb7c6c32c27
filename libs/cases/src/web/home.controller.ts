import { Controller, Get, Render } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '@app/platform';
import { ServiceCatalogue } from '../catalogue/service-catalogue.js';

@ApiExcludeController()
@Public()
@Controller()
export class HomeController {
  constructor(private readonly catalogue: ServiceCatalogue) {}

  /** Each service with a home entry, in its declared order; the name, summary and link are its messages. */
  @Get()
  @Render('home.njk')
  home(): { services: { name: string; links: readonly { href: string; labelKey: string }[] }[] } {
    const listed = this.catalogue.all().filter((service) => service.home);
    listed.sort((a, b) => a.home!.order - b.home!.order);
    return { services: listed.map((service) => ({ name: service.id, links: service.home!.links ?? [] })) };
  }
}
