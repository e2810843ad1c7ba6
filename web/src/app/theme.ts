import { CloseButton, type CSSVariablesResolver, createTheme, type MantineColorsTuple } from '@mantine/core';

// A calm blue-green. Shade 7 (the primary shade) has 6.3:1 contrast on white and shade 9, the text
// colour of light variants, more than 8:1 on shade 1, so filled buttons, links and badges meet WCAG AA.
const assay: MantineColorsTuple = [
  '#e6f4f4',
  '#cfe6e7',
  '#a0cdcf',
  '#6db2b5',
  '#45999d',
  '#2c888d',
  '#1b7a80',
  '#0f6a70',
  '#0a5a5f',
  '#034a4f',
];

// Mantine's red, shifted so that filled red (shade 7) keeps white text at 5.5:1.
const red: MantineColorsTuple = [
  '#fff5f5',
  '#ffe3e3',
  '#ffc9c9',
  '#ffa8a8',
  '#ff8787',
  '#fa5252',
  '#f03e3e',
  '#c92a2a',
  '#a61e1e',
  '#8a1919',
];

// Modals, drawers and notifications close with an icon-only button: give it a name. (The props type
// of CloseButton.extend leaves out plain button attributes, though they reach the button.)
const closeButtonName = { 'aria-label': 'Close' };

export const theme = createTheme({
  primaryColor: 'assay',
  primaryShade: 7,
  colors: { assay, red },
  focusRing: 'auto',
  defaultRadius: 'md',
  cursorType: 'pointer',
  components: {
    CloseButton: CloseButton.extend({ defaultProps: closeButtonName }),
  },
});

// The stock dimmed text (gray 6) and error text (red 6) are about 3.3:1 on white: too faint for AA.
export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': '#5c636a',
    '--mantine-color-error': 'var(--mantine-color-red-8)',
  },
  dark: {},
});
