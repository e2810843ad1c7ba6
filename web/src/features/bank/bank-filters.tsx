// The filter state of the bank's lists, kept in the URL so a filtered list survives opening an item
// and coming back, and the debounced search box that feeds it.
import { TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useEffect, useRef, useState } from 'react';
import { useSearchParams } from 'react-router';

export function useUrlFilters() {
  const [params, setParams] = useSearchParams();
  // react-router hands every functional update the params of the last render, so two quick changes
  // (two filters picked in a row) would each start from the same state and the first would be lost.
  // Chain them through a ref until the URL catches up.
  const pending = useRef<URLSearchParams | null>(null);
  useEffect(() => {
    pending.current = null;
  }, [params]);
  const set = (key: string, value: string | null) => {
    const next = new URLSearchParams(pending.current ?? params);
    if (value) next.set(key, value);
    else next.delete(key);
    pending.current = next;
    setParams(next, { replace: true });
  };
  const clear = () => {
    pending.current = new URLSearchParams();
    setParams(pending.current, { replace: true });
  };
  return { params, set, clear, active: [...params.keys()].length > 0 };
}

export const oneOf = <T extends string>(values: readonly T[], value: string | null): T | undefined =>
  values.find((v) => v === value);

/** Searches once typing pauses, rather than on every key. */
export function SearchInput({
  initial,
  description,
  onSearch,
}: {
  initial: string;
  description: string;
  onSearch: (q: string) => void;
}) {
  const [value, setValue] = useState(initial);
  const [debounced] = useDebouncedValue(value, 300);
  // biome-ignore lint/correctness/useExhaustiveDependencies: run only when the typed text settles
  useEffect(() => {
    if (debounced.trim() !== initial) onSearch(debounced.trim());
  }, [debounced]);
  // "Clear filters" empties the URL: the box follows.
  useEffect(() => {
    if (initial === '') setValue('');
  }, [initial]);
  return (
    <TextInput
      label="Search"
      description={description}
      type="search"
      value={value}
      onChange={(e) => setValue(e.currentTarget.value)}
      maxLength={200}
      w={280}
    />
  );
}
