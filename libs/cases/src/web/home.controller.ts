import { Controller, Get, Render } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '@app/platform';
import { SERVICES } from '../reference.js';

@ApiExcludeController()
@Public()
@Controller()
export class HomeController {
  @Get()
  @Render('home.njk')
  home(): { services: readonly string[] } {
    return { services: SERVICES };
  }
}
