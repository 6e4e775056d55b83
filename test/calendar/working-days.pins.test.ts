/**
 * Exact error texts of the working-day calendar (each kind of bad input, described by value and type),
 * the year bounds, four-digit years, the observed Veterans Day record, and how business-days-js is
 * called and its export resolved (a stand-in module, loaded into a fresh working-days.ts).
 */
import { describe, expect, it } from 'vitest'
import {
  createWorkingDayCalendar,
  InvalidDateError,
  usWorkingDays,
  withObservedVeteransDay,
  type HolidayRecord,
} from '../../src/calendar/working-days.js'
import { withStandIn } from './stand-in.js'
import { thrown } from './thrown.js'

type WorkingDaysModule = typeof import('../../src/calendar/working-days.js')

const DATE_EXPECTED = "expected an ISO calendar date 'YYYY-MM-DD' (years 0001–9999)"
const noHolidays = () => createWorkingDayCalendar({ source: { getHolidays: () => [] } })

/** The error `fn` throws, as [class name, code, message, value]. */
function failure(fn: () => unknown): unknown[] {
  const err = thrown(fn) as InvalidDateError
  expect(err).toBeInstanceOf(InvalidDateError)
  return [err.name, err.code, err.message, err.value]
}

describe('error messages describe the rejected value exactly', () => {
  it('a bad date: quoted when a string, else its text and type (null and unprintable values too)', () => {
    const cal = noHolidays()
    const unprintable = Object.create(null) as object // String() of it throws
    const cases: [unknown, string][] = [
      ['2026-02-30', '"2026-02-30"'],
      ['', '""'],
      [null, 'null (null)'],
      [undefined, 'undefined (undefined)'],
      [20260105, '20260105 (number)'],
      [false, 'false (boolean)'],
      [unprintable, '(object)'],
      [['2026-01-05'], '2026-01-05 (object)'], // a list whose text is a date is still no date
      [{ toString: () => '2026-01-05' }, '2026-01-05 (object)'],
    ]
    for (const [value, described] of cases) {
      const message = `Invalid date ${described}: ${DATE_EXPECTED}`
      expect(failure(() => cal.isWorkingDay(value as string))).toEqual(['InvalidDateError', 'E_INVALID_DATE', message, value])
      expect(failure(() => cal.addWorkingDays(value as string, 1))[2]).toBe(message)
    }
    expect(failure(() => cal.workingDaysBetween(null as unknown as string, '2026-01-05'))[2]).toBe(
      `Invalid from date null (null): ${DATE_EXPECTED}`,
    )
    expect(failure(() => cal.workingDaysBetween('2026-01-05', '0000-12-31'))[2]).toBe(`Invalid to date "0000-12-31": ${DATE_EXPECTED}`)
  })

  it('a bad number of working days', () => {
    const cal = noHolidays()
    for (const [n, described] of [
      [-1, '-1 (number)'],
      [1.5, '1.5 (number)'],
      [Number.NaN, 'NaN (number)'],
      [2 ** 53, '9007199254740992 (number)'],
      ['3', '"3"'],
      [null, 'null (null)'],
    ] as [unknown, string][]) {
      expect(failure(() => cal.addWorkingDays('2026-01-05', n as number))).toEqual([
        'InvalidDateError',
        'E_INVALID_DATE',
        `Invalid number of working days ${described}: expected an integer >= 0`,
        n,
      ])
    }
  })

  it('a bad year: not an integer, or outside 1–9999', () => {
    const cal = noHolidays()
    for (const [year, described] of [
      [0, '0 (number)'],
      [10_000, '10000 (number)'],
      [2026.5, '2026.5 (number)'],
      ['2026', '"2026"'],
      [null, 'null (null)'],
    ] as [unknown, string][]) {
      expect(failure(() => cal.holidays(year as number))).toEqual([
        'InvalidDateError',
        'E_INVALID_DATE',
        `Invalid year ${described}: expected an integer 1–9999`,
        year,
      ])
    }
  })

  it('a holiday source record with no usable date names the value and the year', () => {
    for (const [date, described] of [
      ['soon', '"soon"'],
      [undefined, 'undefined (undefined)'],
      [20260101, '20260101 (number)'],
      ['2026-02-30', '"2026-02-30"'],
      [['2026-01-01'], '2026-01-01 (object)'], // its text is a date, but it is no string
    ] as [unknown, string][]) {
      const cal = createWorkingDayCalendar({ source: { getHolidays: () => [{ date } as HolidayRecord] } })
      const err = thrown(() => cal.isWorkingDay('2026-01-05'))
      expect(err).toBeInstanceOf(TypeError)
      expect((err as Error).message).toBe(`Holiday source returned an invalid date ${described} for year 2026`)
    }
  })
})

describe('the supported years', () => {
  it('are 1 through 9999 inclusive, each a year of holidays', () => {
    const asked: number[] = []
    const cal = createWorkingDayCalendar({
      source: {
        getHolidays: (year) => {
          asked.push(year)
          return [{ date: `${String(year).padStart(4, '0')}-06-01` }]
        },
      },
    })
    expect(cal.holidays(1)).toEqual(['0001-06-01']) // a Friday
    expect(cal.holidays(9999)).toEqual(['9999-06-01']) // a Tuesday
    expect(asked).toEqual([1, 9999])
  })

  it('dates before year 1000 are written with four digits', () => {
    const cal = noHolidays()
    expect(cal.addWorkingDays('0999-12-30', 0)).toBe('0999-12-30')
    expect(cal.addWorkingDays('0999-12-30', 1)).toBe('0999-12-31') // Thu → Fri
    expect(cal.addWorkingDays('0099-03-02', 1)).toBe('0099-03-03')
    // and past the last supported day, the message names the day reached and the bounds
    expect(failure(() => cal.addWorkingDays('9999-12-31', 1))).toEqual([
      'InvalidDateError',
      'E_INVALID_DATE',
      'Date 10000-01-03 is outside the supported years 1–9999',
      2_932_899, // the day number of 10000-01-03 (days since 1970-01-01)
    ])
  })
})

describe('a holiday that starts during its day', () => {
  /** a holiday from `date` (local wall-clock start) lasting `ms` by its start and end instants */
  const from = (date: string, ms?: number): HolidayRecord => (ms === undefined ? { date } : { date, start: new Date(0), end: new Date(ms) })
  const coveredBy = (record: HolidayRecord) => createWorkingDayCalendar({ source: { getHolidays: () => [record] } }).holidays(2026)

  it('makes a day non-working only when it is in effect at that midnight (hours, minutes and seconds count)', () => {
    expect(coveredBy(from('2026-04-01 00:00:00'))).toEqual(['2026-04-01'])
    expect(coveredBy(from('2026-04-01 00:00:30'))).toEqual(['2026-04-02']) // 30 s late: the next midnight only
    expect(coveredBy(from('2026-04-01 23:45', 30 * 60_000))).toEqual(['2026-04-02']) // 23:45–00:15
    expect(coveredBy(from('2026-04-01 23:15', 30 * 60_000))).toEqual([]) // 23:15–23:45
    expect(coveredBy(from('2026-04-01 23:59:45', 30_000))).toEqual(['2026-04-02']) // 23:59:45–00:00:15
    expect(coveredBy(from('2026-04-01 23:59:15', 30_000))).toEqual([]) // 23:59:15–23:59:45
    // a start without an end, or an end without a start, gives no duration: one day
    expect(coveredBy({ date: '2026-04-01 23:45', end: new Date(30 * 60_000) })).toEqual(['2026-04-02'])
    expect(coveredBy({ date: '2026-04-01 23:45', start: new Date(0) })).toEqual(['2026-04-02'])
    // a null start or end (from untyped code) is a missing one, not 1970-01-01: the holiday does not last for decades
    const nullStart = { date: '2026-04-01', start: null, end: new Date('2026-04-02T04:00:00Z') } as unknown as HolidayRecord
    expect(coveredBy(nullStart)).toEqual(['2026-04-01'])
    expect(coveredBy({ ...nullStart, start: new Date('2026-04-01T04:00:00Z'), end: null } as unknown as HolidayRecord)).toEqual([
      '2026-04-01',
    ])
    expect(coveredBy({ date: '2026-04-01', start: new Date(0), end: new Date(2 * 86_400_000) })).toEqual(['2026-04-01', '2026-04-02'])
  })
})

describe('date input: a calendar date, optionally with an ISO time and offset (ignored)', () => {
  const ACCEPTED = [
    '2026-01-05',
    '2026-01-05T10:15',
    '2026-01-05 10:15',
    '2026-01-05T19:15',
    '2026-01-05T09:05:09',
    '2026-01-05T10:15:30',
    '2026-01-05T10:15:30Z',
    '2026-01-05T10:15:30.123',
    '2026-01-05T10:15:30.12Z',
    '2026-01-05T10:15:30.123456Z',
    '2026-01-05T10:15Z',
    '2026-01-05T10:15+05:30',
    '2026-01-05T10:15+19:30',
    '2026-01-05T10:15-0530',
    '2026-01-05T10:15:30+0530',
    '2026-01-05T23:59:59+23:59',
  ]
  const REFUSED = [
    'x2026-01-05',
    '2026-01-05x',
    '2026-01-05x10:15',
    '2026-01-05T10',
    '2026-01-05T1015',
    '2026-01-05T24:00',
    '2026-01-05Ta0:15',
    '2026-01-05T1a:15',
    '2026-01-05T10:60',
    '2026-01-05T10:1a',
    '2026-01-05T10:15:60',
    '2026-01-05T10:15:3a',
    '2026-01-05T10:15:305',
    '2026-01-05T10:15:30.',
    '2026-01-05T10:15:30.1a',
    '2026-01-05T10:15Zx',
    '2026-01-05T10:15+0',
    '2026-01-05T10:15*05:30',
    '2026-01-05T10:15+24:00',
    '2026-01-05T10:15+1a:00',
    '2026-01-05T10:15+05:60',
    '2026-01-05T10:15+05:3a',
    '2026-01-05T10:15+05:30:00',
    '2026-01-05T10:15:30.123+05',
  ]

  it('accepts these, each as the date written (Mon 2026-01-05, whatever the offset)', () => {
    const cal = noHolidays()
    for (const input of ACCEPTED) expect([input, cal.addWorkingDays(input, 0)]).toEqual([input, '2026-01-05'])
  })

  it('refuses these with the exact message', () => {
    const cal = noHolidays()
    for (const input of REFUSED) {
      expect(failure(() => cal.isWorkingDay(input))).toEqual([
        'InvalidDateError',
        'E_INVALID_DATE',
        `Invalid date ${JSON.stringify(input)}: ${DATE_EXPECTED}`,
        input,
      ])
    }
  })
})

describe('a holiday source record date', () => {
  const coveredBy = (date: string) => createWorkingDayCalendar({ source: { getHolidays: () => [{ date }] } }).holidays(2026)

  it('is a date, with an optional "T" or " " time (hours and minutes, optional seconds) starting the holiday', () => {
    expect(coveredBy('2026-04-01')).toEqual(['2026-04-01'])
    expect(coveredBy('2026-04-01T00:00')).toEqual(['2026-04-01'])
    expect(coveredBy('2026-04-01 12:00')).toEqual(['2026-04-02'])
    expect(coveredBy('2026-04-01T12:00')).toEqual(['2026-04-02'])
    expect(coveredBy('2026-04-01 00:00:01')).toEqual(['2026-04-02'])
    expect(coveredBy('2026-04-01 00:01:00')).toEqual(['2026-04-02'])
    expect(coveredBy('2026-04-01 00:00:00 America/New_York')).toEqual(['2026-04-01']) // anything after the time is ignored
    expect(coveredBy('2026-04-01x12:00')).toEqual(['2026-04-01']) // no time: from midnight
    expect(thrown(() => coveredBy('x2026-04-01'))).toBeInstanceOf(TypeError)
  })
})

describe('which dates exist', () => {
  it('rejects days and months outside their range, whether or not the overflow stays in the year', () => {
    const cal = noHolidays()
    for (const date of [
      '2026-02-29',
      '2024-02-30',
      '2026-04-31',
      '2026-01-32',
      '2026-12-00',
      '2026-00-15',
      '2026-13-01',
      '2026-12-99',
      '2026-99-01',
    ]) {
      expect(failure(() => cal.isWorkingDay(date))).toEqual([
        'InvalidDateError',
        'E_INVALID_DATE',
        `Invalid date "${date}": ${DATE_EXPECTED}`,
        date,
      ])
    }
    expect(cal.isWorkingDay('2024-02-29')).toBe(true)
    expect(cal.isWorkingDay('2026-12-31')).toBe(true)
  })
})

describe('withObservedVeteransDay', () => {
  it('adds nothing for a year that is not a whole number (there is no Nov 11 of year 2023.5)', () => {
    const saturday = { date: '2023-11-11 00:00:00', type: 'public' }
    expect(withObservedVeteransDay({ getHolidays: () => [saturday] }).getHolidays(2023.5)).toStrictEqual([saturday])
  })

  it('adds a public substitute record named after the Nov 11 holiday, or "Veterans Day" when it has no name', () => {
    const saturday = { date: '2023-11-11 00:00:00', type: 'public' } // 2023-11-11 is a Saturday
    expect(withObservedVeteransDay({ getHolidays: () => [saturday] }).getHolidays(2023)).toStrictEqual([
      saturday,
      { date: '2023-11-10 00:00:00', type: 'public', name: 'Veterans Day (substitute day)' },
    ])
    const sunday = { date: '2029-11-11', name: 'Armistice Day' } // a Sunday, untyped (counts as public)
    expect(withObservedVeteransDay({ getHolidays: () => [sunday] }).getHolidays(2029)).toStrictEqual([
      sunday,
      { date: '2029-11-12 00:00:00', type: 'public', name: 'Armistice Day (substitute day)' },
    ])
  })
})

describe('withObservedVeteransDay: which Nov 11 entry counts', () => {
  const observed = (records: HolidayRecord[], year: number) => withObservedVeteransDay({ getHolidays: () => records }).getHolidays(year)

  it('only a public (or untyped) entry dated Nov 11 of that year, on a Saturday or Sunday', () => {
    const notPublic = { date: '2023-11-11 00:00:00', type: 'observance' }
    expect(observed([notPublic], 2023)).toStrictEqual([notPublic])
    const otherDay = { date: '2023-11-12 00:00:00', type: 'public' }
    expect(observed([otherDay], 2023)).toStrictEqual([otherDay])
    const weekday = { date: '2026-11-11', type: 'public' } // a Wednesday
    expect(observed([weekday], 2026)).toStrictEqual([weekday])
    const notAString = { date: 20231111 } as unknown as HolidayRecord // no Nov 11 entry, and no error here
    expect(observed([notAString], 2023)).toStrictEqual([notAString])
    // the first matching entry names the substitute
    const both = [notPublic, otherDay, { date: '2023-11-11', name: 'Veterans Day' }, { date: '2023-11-11', name: 'Second' }]
    expect(observed(both, 2023).slice(4)).toStrictEqual([
      { date: '2023-11-10 00:00:00', type: 'public', name: 'Veterans Day (substitute day)' },
    ])
  })
})

describe('remembered addWorkingDays answers', () => {
  it('are never given for a date or count that is not a string and a number, even with the same text', () => {
    const cal = noHolidays()
    expect(cal.addWorkingDays('2026-01-05', 1)).toBe('2026-01-06')
    expect(cal.addWorkingDays('2026-01-05', 1)).toBe('2026-01-06') // remembered
    expect(failure(() => cal.addWorkingDays(['2026-01-05'] as unknown as string, 1))[2]).toBe(
      `Invalid date 2026-01-05 (object): ${DATE_EXPECTED}`,
    )
    expect(failure(() => cal.addWorkingDays('2026-01-05', '1' as unknown as number))[2]).toBe(
      'Invalid number of working days "1": expected an integer >= 0',
    )
    expect(failure(() => cal.addWorkingDays(['2026-01-05'] as unknown as string, '1' as unknown as number))[2]).toBe(
      `Invalid date 2026-01-05 (object): ${DATE_EXPECTED}`,
    )
  })
})

describe('workingDaysBetween', () => {
  it('is 0 for the same day, and negative (never -0) when to is before from', () => {
    const cal = noHolidays()
    expect(Object.is(cal.workingDaysBetween('2026-01-07', '2026-01-07'), 0)).toBe(true)
    expect(Object.is(cal.workingDaysBetween('2026-01-10', '2026-01-11'), 0)).toBe(true) // Sat → Sun
    expect(Object.is(cal.workingDaysBetween('2026-01-11', '2026-01-10'), 0)).toBe(true)
    expect(cal.workingDaysBetween('2026-01-05', '2026-01-12')).toBe(5)
    expect(cal.workingDaysBetween('2026-01-12', '2026-01-05')).toBe(-5)
  })
})

describe('usWorkingDays', () => {
  it('answers every question from the federal calendar', () => {
    expect(usWorkingDays.isWorkingDay('2026-07-03')).toBe(false) // Independence Day observed
    expect(usWorkingDays.addWorkingDays('2026-07-02', 1)).toBe('2026-07-06')
    expect(usWorkingDays.workingDaysBetween('2026-07-02', '2026-07-06')).toBe(1)
    expect(usWorkingDays.holidays(2026)).toContain('2026-07-03')
  })
})

describe('business-days-js: how it is called and resolved', () => {
  /** working-days.ts loaded afresh while `require('business-days-js')` gives `exports`. */
  const loadWith = withStandIn<WorkingDaysModule>('business-days-js', () => import('../../src/calendar/working-days.js'))

  const calls: unknown[] = []
  const factory = (options?: unknown) => {
    calls.push(options)
    return { getHolidays: (year: number) => [{ date: `${year}-03-03 00:00:00`, type: 'public' }] }
  }

  it('passes an own undefined state for the federal calendar and { state } for a state, through a namespace’s default export', async () => {
    calls.length = 0
    const wd = await loadWith({ default: factory })
    expect(wd.createWorkingDayCalendar().holidays(2026)).toEqual(['2026-03-03'])
    expect(wd.createWorkingDayCalendar({ state: 'ca' }).isWorkingDay('2026-03-03')).toBe(false)
    // an own undefined, not `{}`: business-days-js would read `{}.state` from a polluted Object.prototype
    expect(calls).toStrictEqual([{ state: undefined }, { state: 'ca' }])
  })

  it('takes the module itself when it is the factory', async () => {
    calls.length = 0
    const wd = await loadWith(factory)
    expect(wd.createWorkingDayCalendar({ state: 'pa' }).holidays(2027)).toEqual(['2027-03-03'])
    expect(calls).toStrictEqual([{ state: 'pa' }])
  })

  it('fails with a TypeError naming business-days-js when neither the module nor its default is a function', async () => {
    for (const exports of [{}, null, { default: {} }]) {
      const wd = await loadWith(exports)
      const err = thrown(() => wd.createWorkingDayCalendar())
      expect(err).toBeInstanceOf(TypeError)
      expect((err as Error).message).toBe('business-days-js: could not resolve the businessDays() factory export')
    }
  })

  it('turns a thrown string into a RangeError with the string as its cause, and rethrows an Error as it is', async () => {
    const err = thrown(() => createWorkingDayCalendar({ state: 'zz' })) // the real library: "zz is not a US state."
    expect(err).toBeInstanceOf(RangeError)
    expect((err as Error).message).toBe('business-days-js: zz is not a US state.')
    expect((err as Error).cause).toBe('zz is not a US state.')

    const boom = new SyntaxError('boom')
    const wd = await loadWith(() => {
      throw boom
    })
    expect(thrown(() => wd.createWorkingDayCalendar())).toBe(boom)
  })
})
