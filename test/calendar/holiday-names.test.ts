/** holidayName(): the name of the holiday that makes a weekday non-working, for the review strip's labels. */
import { describe, expect, it } from 'vitest'
import { calendarNamed } from '../../src/calendar/calendars.js'
import { createWorkingDayCalendar, InvalidDateError, usWorkingDays } from '../../src/calendar/working-days.js'

describe('holidayName', () => {
  it('names US Thanksgiving 2026 and nothing on the working days around it', () => {
    expect(usWorkingDays.holidayName('2026-11-26')).toMatch(/Thanksgiving/)
    expect(usWorkingDays.isWorkingDay('2026-11-26')).toBe(false)
    expect(usWorkingDays.holidayName('2026-11-25')).toBeUndefined()
    expect(usWorkingDays.holidayName('2026-11-27')).toBeUndefined()
    // a weekend is not a holiday: no name
    expect(usWorkingDays.holidayName('2026-11-28')).toBeUndefined()
  })

  it('names every holiday the calendar lists, in another calendar too', () => {
    for (const name of ['US', 'GB']) {
      const calendar = calendarNamed(name)
      for (const day of calendar.holidays(2026)) expect(calendar.holidayName(day), `${name} ${day}`).toMatch(/\S/)
    }
    expect(calendarNamed('GB').holidayName('2026-12-25')).toMatch(/Christmas/)
  })

  it('keeps a source name as data, joins two holidays of one day, and names an unnamed one "Holiday"', () => {
    const calendar = createWorkingDayCalendar({
      source: {
        getHolidays: () => [
          { date: '2026-03-03', name: '<b>Fête</b>' },
          { date: '2026-03-03', name: 'Second' },
          { date: '2026-03-04' },
          { date: '2026-03-05', name: 'Bank day', type: 'bank' },
        ],
      },
    })
    expect(calendar.holidayName('2026-03-03')).toBe('<b>Fête</b> / Second')
    expect(calendar.holidayName('2026-03-04')).toBe('Holiday')
    expect(calendar.holidayName('2026-03-05')).toBeUndefined()
  })

  it('refuses a date that is not one', () => {
    expect(() => usWorkingDays.holidayName('2026-13-01')).toThrow(InvalidDateError)
    expect(() => usWorkingDays.holidayName(42 as unknown as string)).toThrow(InvalidDateError)
  })
})
