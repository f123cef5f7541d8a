import {
  Tag,
  TagPicker,
  TagPickerControl,
  TagPickerGroup,
  TagPickerInput,
  TagPickerList,
  TagPickerOption,
  type TagPickerProps,
} from "@fluentui/react-components";
import { useEffect, useState, type KeyboardEvent } from "react";
import { bookingApi, type Attendee, type PersonChoice } from "../api/bookings";
import { useI18n } from "../i18n/I18n";

/** What a typed address must look like to be invited without a directory match. */
const looksLikeAddress = (s: string): boolean => /^[^\s@,;<>]+@[^\s@,;<>]+\.[^\s@,;<>]+$/.test(s);

/** How long typing must pause before the directory is asked. */
const SEARCH_PAUSE_MS = 250;

/**
 * The booking form's attendees: a search-as-you-type picker over the synced directory
 * (GET /api/people?search=, from two characters). Arrow keys move through the matches, Enter picks
 * one, Backspace in the empty box removes the last person; an address nobody in the directory has can
 * be typed in full and added with Enter. A picked person's tag removes them when pressed.
 */
export function AttendeePicker({
  label,
  value,
  onChange,
}: {
  label: string;
  value: readonly Attendee[];
  onChange: (next: Attendee[]) => void;
}) {
  const { t } = useI18n();
  const [text, setText] = useState("");
  const [found, setFound] = useState<readonly PersonChoice[]>([]);
  const [searched, setSearched] = useState("");
  const [open, setOpen] = useState(false);
  const search = text.trim();
  useEffect(() => {
    if (search.length < 2) {
      setFound([]);
      setSearched("");
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      bookingApi.people(search).then(
        (page) => {
          if (!live) return;
          setFound(page.items);
          setSearched(search);
        },
        () => {
          if (live) setFound([]);
        },
      );
    }, SEARCH_PAUSE_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [search]);
  const chosen = new Set(value.map((a) => a.email.toLowerCase()));
  const options = found.filter((p) => !chosen.has(p.email.toLowerCase()));
  const add = (a: Attendee): void => {
    if (!chosen.has(a.email.toLowerCase())) onChange([...value, a]);
    setText("");
  };
  const onOptionSelect: TagPickerProps["onOptionSelect"] = (_, data) => {
    const email = data.value;
    if (chosen.has(email.toLowerCase())) {
      onChange(value.filter((a) => a.email.toLowerCase() !== email.toLowerCase()));
      return;
    }
    const person = found.find((p) => p.email === email);
    if (person !== undefined) add({ email: person.email, name: person.displayName });
  };
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>): void => {
    if (e.key === "Enter" && options.length === 0 && looksLikeAddress(search)) {
      e.preventDefault();
      add({ email: search.toLowerCase() });
    }
  };
  const noMatch = searched !== "" && searched === search && options.length === 0;
  return (
    <TagPicker
      onOptionSelect={onOptionSelect}
      selectedOptions={value.map((a) => a.email)}
      open={open && (options.length > 0 || noMatch)}
      onOpenChange={(_, d) => setOpen(d.open)}
    >
      <TagPickerControl>
        <TagPickerGroup aria-label={t("staff.book.attendeesChosen")}>
          {value.map((a) => (
            <Tag
              key={a.email}
              value={a.email}
              shape="rounded"
              dismissIcon={{ "aria-label": t("staff.book.attendeesRemove", { name: a.name ?? a.email }) }}
            >
              {a.name ?? a.email}
            </Tag>
          ))}
        </TagPickerGroup>
        <TagPickerInput
          aria-label={label}
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            setOpen(true);
          }}
          onKeyDown={onKeyDown}
        />
      </TagPickerControl>
      <TagPickerList>
        {noMatch ? (
          <TagPickerOption value="" text={t("staff.book.attendeesNone")}>
            {looksLikeAddress(search)
              ? t("staff.book.attendeesAddTyped", { email: search })
              : t("staff.book.attendeesNone")}
          </TagPickerOption>
        ) : (
          options.map((p) => (
            <TagPickerOption
              key={p.email}
              value={p.email}
              text={p.displayName}
              secondaryContent={[p.email, p.jobTitle].filter((x) => x !== undefined).join(" · ")}
            >
              {p.displayName}
            </TagPickerOption>
          ))
        )}
      </TagPickerList>
    </TagPicker>
  );
}
