import { boot } from "../ui/boot";
import { AdminApp } from "./AdminApp";

boot(<AdminApp />);
